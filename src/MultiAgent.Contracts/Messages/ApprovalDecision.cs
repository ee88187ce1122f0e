namespace MultiAgent.Contracts;

/// <summary>
/// Query API → Repo Manager task stream: a human's decision on a job that is AWAITING_APPROVAL. The Repo Manager's
/// workflow acts on it (approve → merge, reject → FAILED and the pull request closed), with the task loop's retries.
/// </summary>
/// <param name="JobId">The job.</param>
/// <param name="Approved">True to merge, false to reject.</param>
/// <param name="DecidedAt">When the decision was made.</param>
/// <param name="DecidedBy">Who decided, if known.</param>
/// <param name="Reason">Why (for a rejection, shown as the job's error).</param>
public sealed record ApprovalDecision(
    string JobId,
    bool Approved,
    DateTimeOffset DecidedAt,
    string? DecidedBy = null,
    string? Reason = null);
