namespace MultiAgent.Contracts;

/// <summary>Request on <see cref="Subjects.QueryProjectStatus"/>.</summary>
public sealed record ProjectStatusQuery(string ProjectId);

/// <summary>Request on <see cref="Subjects.QueryProjectsList"/>: newest first, filtered, paged.</summary>
/// <param name="Limit">1 to 200.</param>
public sealed record ListProjectsQuery(ProjectStatus? Status = null, int Limit = 20, int Offset = 0);

/// <summary>Request on <see cref="Subjects.QueryProjectStop"/>: stop every running job of the project and start no other.</summary>
public sealed record StopProjectRequest(string ProjectId, string? Reason = null);

/// <summary>Request on <see cref="Subjects.QueryProjectApprove"/>: start a PLANNED project.</summary>
public sealed record ApprovePlanRequest(string ProjectId, string? DecidedBy = null);

/// <summary>A project in a list or a status reply.</summary>
/// <param name="TokenUsage">Planning and every feature job together.</param>
public sealed record ProjectSummary(
    string ProjectId,
    string Repository,
    string Title,
    ProjectStatus Status,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    int Features = 0,
    int FeaturesCompleted = 0,
    string? BaseBranch = null,
    string? Error = null,
    DateTimeOffset? CompletedAt = null,
    TokenUsage? TokenUsage = null,
    JobBudget? Budget = null)
{
    public TokenUsage TokenUsage { get; init; } = TokenUsage ?? TokenUsage.Zero;
}

/// <summary>One planned feature: what it is, what it waits for, and its job once started.</summary>
/// <param name="Key">The feature's id in the plan (what other features name in <paramref name="DependsOn"/>).</param>
/// <param name="Reason">Why it is BLOCKED, FAILED or CANCELLED.</param>
/// <param name="Job">Its job (state, pull request, iterations, tokens, cost), once started.</param>
public sealed record FeatureSummary(
    string Key,
    string Title,
    FeatureStatus Status,
    string Description = "",
    IReadOnlyList<string>? AcceptanceCriteria = null,
    IReadOnlyList<string>? DependsOn = null,
    string? JobId = null,
    string? Reason = null,
    JobSummary? Job = null)
{
    public IReadOnlyList<string> AcceptanceCriteria { get; init; } = AcceptanceCriteria ?? [];

    public IReadOnlyList<string> DependsOn { get; init; } = DependsOn ?? [];
}

/// <summary>Reply to <see cref="ProjectStatusQuery"/>: the project, its features in plan order, and its own timeline.</summary>
public sealed record ProjectStatusReply(
    ProjectSummary Project,
    IReadOnlyList<FeatureSummary>? Features = null,
    IReadOnlyList<TimelineEntry>? Timeline = null)
{
    public IReadOnlyList<FeatureSummary> Features { get; init; } = Features ?? [];

    public IReadOnlyList<TimelineEntry> Timeline { get; init; } = Timeline ?? [];
}

/// <summary>Reply to <see cref="ListProjectsQuery"/>.</summary>
public sealed record ListProjectsReply(IReadOnlyList<ProjectSummary>? Projects = null, long Total = 0)
{
    public IReadOnlyList<ProjectSummary> Projects { get; init; } = Projects ?? [];
}

/// <summary>Reply to <see cref="StopProjectRequest"/>: the project's state afterwards, whether this request changed it, the jobs it stopped.</summary>
public sealed record StopProjectReply(string ProjectId, ProjectStatus Status, bool Changed, IReadOnlyList<string>? StoppedJobs = null)
{
    public IReadOnlyList<string> StoppedJobs { get; init; } = StoppedJobs ?? [];
}

/// <summary>Reply to <see cref="ApprovePlanRequest"/>: the project's state afterwards.</summary>
public sealed record ApprovePlanReply(string ProjectId, ProjectStatus Status);
