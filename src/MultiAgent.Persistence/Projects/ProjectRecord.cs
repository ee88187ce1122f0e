using MultiAgent.Contracts;

namespace MultiAgent.Persistence;

/// <summary>A project as stored in <c>projects</c>, with what its planning and its features' jobs have used.</summary>
public sealed record ProjectRecord
{
    /// <summary>The project id (the correlation id of its planning task and its own events).</summary>
    public required string Id { get; init; }

    public required string Repository { get; init; }

    /// <summary>A short title (from the requirements' first line).</summary>
    public required string Title { get; init; }

    /// <summary>What to build, as the user wrote it.</summary>
    public required string Requirements { get; init; }

    /// <summary>Branch every feature starts from and merges into; null: the repository's default.</summary>
    public string? BaseBranch { get; init; }

    public ProjectStatus Status { get; init; } = ProjectStatus.Planning;

    /// <summary>Whether the plan waits in PLANNED for approve-plan.</summary>
    public bool RequirePlanApproval { get; init; }

    /// <summary>Each feature job's maximum implement/review rounds.</summary>
    public int MaxIterations { get; init; } = 3;

    /// <summary>Whether each feature job waits for a person before it merges.</summary>
    public bool RequireApproval { get; init; }

    /// <summary>What the whole project's model calls may use; null: no cap.</summary>
    public JobBudget? Budget { get; init; }

    public string? RequestedBy { get; init; }

    /// <summary>Why the project failed, ended PARTIAL or was stopped.</summary>
    public string? Error { get; init; }

    /// <summary>Planning and every feature job together (filled in by reads).</summary>
    public TokenUsage Tokens { get; init; } = TokenUsage.Zero;

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset UpdatedAt { get; init; }

    public DateTimeOffset? CompletedAt { get; init; }
}

/// <summary>One feature of a project (<c>project_features</c>), with its job once started.</summary>
/// <param name="Key">Its id in the plan, named by the features that depend on it.</param>
/// <param name="Position">Its place in the plan (0-based).</param>
/// <param name="JobId">Its job, once started.</param>
/// <param name="Reason">Why it is BLOCKED, FAILED or CANCELLED.</param>
/// <param name="Job">Its job as stored, if the job exists yet (it is created when the Repo Manager takes its request).</param>
public sealed record FeatureRecord(
    string Key,
    int Position,
    string Title,
    string Description,
    IReadOnlyList<string> AcceptanceCriteria,
    IReadOnlyList<string> DependsOn,
    FeatureStatus Status,
    string? JobId = null,
    string? Reason = null,
    JobRecord? Job = null);

/// <summary>A feature of a new plan: what <see cref="ProjectStore.SavePlanAsync"/> stores (WAITING, no job).</summary>
public sealed record PlannedFeature(string Key, string Title, string Description, IReadOnlyList<string> AcceptanceCriteria, IReadOnlyList<string> DependsOn);

/// <summary>A project with its features, as one consistent read.</summary>
public sealed record ProjectSnapshot(ProjectRecord Project, IReadOnlyList<FeatureRecord> Features);

/// <summary>A project with its features and its own timeline, as one consistent read.</summary>
public sealed record ProjectDetails(ProjectRecord Project, IReadOnlyList<FeatureRecord> Features, IReadOnlyList<EventLogEntry> Events);

/// <summary>A page of projects, newest first, and how many match in all.</summary>
public sealed record ProjectListPage(IReadOnlyList<ProjectSnapshot> Items, long Total);

/// <summary>
/// What one step of a project changes (decided from a <see cref="ProjectSnapshot"/> read under the project's lock):
/// features that change state, the project's new state if it changes, and the timeline entries that tell of it. Applied
/// in the same transaction as the read.
/// </summary>
public sealed record ProjectStep(
    IReadOnlyList<FeatureChange> Features,
    ProjectStatus? Status = null,
    string? Error = null,
    IReadOnlyList<NewJobEvent>? Events = null)
{
    public static ProjectStep None { get; } = new([]);

    public IReadOnlyList<NewJobEvent> Events { get; init; } = Events ?? [];

    public bool IsEmpty => Features.Count == 0 && Status is null && Events.Count == 0;
}

/// <summary>A feature's new state (and its job id, when it is started).</summary>
public sealed record FeatureChange(string Key, FeatureStatus Status, string? JobId = null, string? Reason = null);
