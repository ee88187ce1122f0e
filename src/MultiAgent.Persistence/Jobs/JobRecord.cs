using MultiAgent.Contracts;

namespace MultiAgent.Persistence;

/// <summary>
/// A feature job as stored in <c>jobs</c>. Record equality compares <see cref="Requirements"/> by reference.
/// </summary>
public sealed record JobRecord
{
    /// <summary>The job id (the correlation id of all its messages).</summary>
    public required string Id { get; init; }

    /// <summary>Target repository, e.g. "owner/name".</summary>
    public required string Repository { get; init; }

    /// <summary>Short title.</summary>
    public required string Title { get; init; }

    /// <summary>What to build.</summary>
    public string Description { get; init; } = "";

    /// <summary>Individual requirements / acceptance criteria.</summary>
    public IReadOnlyList<string> Requirements { get; init; } = [];

    /// <summary>Branch to start from and merge into; null means the repository's default branch.</summary>
    public string? BaseBranch { get; init; }

    /// <summary>Lifecycle state.</summary>
    public JobStatus Status { get; init; } = JobStatus.Pending;

    /// <summary>Scheduling priority.</summary>
    public TaskPriority Priority { get; init; } = TaskPriority.Normal;

    /// <summary>Current implement/review round (0 before the first).</summary>
    public int Iteration { get; init; }

    /// <summary>Maximum implement/review rounds.</summary>
    public int MaxIterations { get; init; } = 3;

    /// <summary>Whether a human must approve before merging.</summary>
    public bool RequireApproval { get; init; }

    /// <summary>The pull request, once opened.</summary>
    public int? PullRequestNumber { get; init; }

    /// <summary>Web address of the pull request.</summary>
    public string? PullRequestUrl { get; init; }

    /// <summary>The working branch.</summary>
    public string? Branch { get; init; }

    /// <summary>Head commit of the working branch.</summary>
    public string? HeadSha { get; init; }

    /// <summary>The merge commit, once merged.</summary>
    public string? MergeCommitSha { get; init; }

    /// <summary>Why the job failed or was cancelled.</summary>
    public string? Error { get; init; }

    /// <summary>Rounds in which the Coder brought the base branch into the job's branch after a merge conflict.</summary>
    public int ConflictRounds { get; init; }

    /// <summary>LLM tokens used by the job so far.</summary>
    public TokenUsage Tokens { get; init; } = TokenUsage.Zero;

    /// <summary>What the job's model calls may use in all; null: no cap.</summary>
    public JobBudget? Budget { get; init; }

    /// <summary>When the job was stored (UTC; set by the store).</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>When the job last changed (UTC; set by the store).</summary>
    public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>When the job reached a terminal state (UTC), if it has.</summary>
    public DateTimeOffset? CompletedAt { get; init; }

    /// <summary>Whether <see cref="Status"/> is final.</summary>
    public bool IsTerminal => Status.IsTerminal();

    /// <summary>A new PENDING job for <paramref name="request"/>.</summary>
    public static JobRecord FromRequest(FeatureRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return new JobRecord
        {
            Id = request.JobId,
            Repository = request.Repository,
            Title = request.Title,
            Description = request.Description,
            Requirements = request.Requirements,
            BaseBranch = request.BaseBranch,
            Priority = request.Priority,
            MaxIterations = request.MaxIterations,
            RequireApproval = request.RequireApproval,
            Budget = request.Budget,
        };
    }
}
