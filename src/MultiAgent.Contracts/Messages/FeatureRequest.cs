namespace MultiAgent.Contracts;

/// <summary>CLI → Repo Manager: implement a feature in a repository.</summary>
/// <param name="JobId">Id of the job this request starts; the correlation id of every later message.</param>
/// <param name="Repository">Target repository, e.g. "owner/name".</param>
/// <param name="Title">Short title (used for the pull request).</param>
/// <param name="SubmittedAt">When the request was submitted.</param>
/// <param name="Description">What to build.</param>
/// <param name="Requirements">Individual requirements / acceptance criteria; never null.</param>
/// <param name="BaseBranch">Branch to start from and merge into; null means the repository's default branch.</param>
/// <param name="Priority">Scheduling priority.</param>
/// <param name="MaxIterations">Maximum implement/review rounds before the job fails.</param>
/// <param name="RequireApproval">Whether a human must approve before the Repo Manager merges.</param>
/// <param name="RequestedBy">Who submitted the request, if known.</param>
/// <param name="ProjectId">The project the job belongs to (a planned feature's, or one attached with <c>submit-feature --project</c>); null: none.</param>
/// <param name="Budget">What the job's model calls may use in all; null: the Repo Manager's default (<c>MultiAgent:Workflow:JobTokenBudget</c>, <c>:JobCostBudget</c>).</param>
public sealed record FeatureRequest(
    string JobId,
    string Repository,
    string Title,
    DateTimeOffset SubmittedAt,
    string Description = "",
    IReadOnlyList<string>? Requirements = null,
    string? BaseBranch = null,
    TaskPriority Priority = TaskPriority.Normal,
    int MaxIterations = 3,
    bool RequireApproval = false,
    string? RequestedBy = null,
    JobBudget? Budget = null,
    string? ProjectId = null)
{
    /// <summary>The most implement/review rounds a job may ask for (the CLI's <c>--max-iterations</c> allows 1 to this).</summary>
    public const int MaxIterationsLimit = 10;

    /// <summary>Individual requirements / acceptance criteria; never null.</summary>
    public IReadOnlyList<string> Requirements { get; init; } = Requirements ?? [];

    /// <summary>
    /// Why this request cannot be a job as it is (iterations outside 1 to <see cref="MaxIterationsLimit"/>, a budget that
    /// is not positive, no title), or null. Whoever may publish to the Repo Manager's queue can send one.
    /// </summary>
    public string? Problem() =>
        MaxIterations is < 1 or > MaxIterationsLimit ? $"MaxIterations must be 1 to {MaxIterationsLimit} (was {MaxIterations})"
        : Budget is { IsPositive: false } ? "a budget must be positive"
        : string.IsNullOrWhiteSpace(Title) ? "the title is empty"
        : null;
}
