namespace MultiAgent.Contracts;

/// <summary>Repo Manager → CLI/observers: final outcome of a job.</summary>
/// <param name="JobId">The job.</param>
/// <param name="Status">Terminal status (Completed, Failed or Cancelled).</param>
/// <param name="CompletedAt">When the job reached its terminal status.</param>
/// <param name="PullRequestUrl">Pull request URL, if one was opened.</param>
/// <param name="MergeCommitSha">SHA of the merge commit, if merged.</param>
/// <param name="Iterations">Implement/review rounds used.</param>
/// <param name="Summary">What happened.</param>
/// <param name="Error">Why the job failed, if it did.</param>
/// <param name="TokenUsage">The tokens its tasks used, and their estimated cost when model prices are configured.</param>
public sealed record FeatureResult(
    string JobId,
    JobStatus Status,
    DateTimeOffset CompletedAt,
    string? PullRequestUrl = null,
    string? MergeCommitSha = null,
    int Iterations = 0,
    string Summary = "",
    string? Error = null,
    TokenUsage? TokenUsage = null);
