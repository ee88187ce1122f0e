namespace MultiAgent.Contracts;

/// <summary>
/// Event types of a project's own timeline (its events carry the project id where a job's carry the job id; they
/// travel on <c>multiagent.events.&lt;projectId&gt;.*</c> like a job's).
/// </summary>
public static class ProjectEventTypes
{
    /// <summary>A project was accepted; planning starts.</summary>
    public const string Created = "project.created";

    /// <summary>The plan was made (data: features).</summary>
    public const string Planned = "project.planned";

    /// <summary>The project runs: its plan was approved, or needed no approval.</summary>
    public const string Started = "project.started";

    /// <summary>A feature's job was started (data: feature, jobId).</summary>
    public const string FeatureStarted = "project.feature_started";

    /// <summary>A feature's job ended (data: feature, jobId, status).</summary>
    public const string FeatureEnded = "project.feature_ended";

    /// <summary>A feature will not start: one it depends on did not merge (data: feature, reason).</summary>
    public const string FeatureBlocked = "project.feature_blocked";

    /// <summary>The project ended COMPLETED, PARTIAL, FAILED or CANCELLED (data: status, completed, features).</summary>
    public const string Ended = "project.ended";

    /// <summary>Every type above.</summary>
    public static IReadOnlyList<string> All { get; } = [Created, Planned, Started, FeatureStarted, FeatureEnded, FeatureBlocked, Ended];
}
