namespace MultiAgent.Persistence;

/// <summary>
/// Fields to set along with a status transition (see <see cref="JobStore.TransitionAsync"/>). A null member leaves
/// the stored value as it is; there is no way to clear a field.
/// </summary>
public sealed record JobChanges
{
    /// <summary>No field changes: only the status moves.</summary>
    public static JobChanges None { get; } = new();

    /// <summary>New implement/review round.</summary>
    public int? Iteration { get; init; }

    /// <summary>Branch to start from and merge into, once resolved (e.g. the repository's default branch).</summary>
    public string? BaseBranch { get; init; }

    /// <summary>Pull request number.</summary>
    public int? PullRequestNumber { get; init; }

    /// <summary>Pull request web address.</summary>
    public string? PullRequestUrl { get; init; }

    /// <summary>Working branch.</summary>
    public string? Branch { get; init; }

    /// <summary>Head commit of the working branch.</summary>
    public string? HeadSha { get; init; }

    /// <summary>Merge commit.</summary>
    public string? MergeCommitSha { get; init; }

    /// <summary>Rounds in which the Coder brought the base branch into the job's branch after a merge conflict.</summary>
    public int? ConflictRounds { get; init; }

    /// <summary>Failure or cancellation reason.</summary>
    public string? Error { get; init; }
}
