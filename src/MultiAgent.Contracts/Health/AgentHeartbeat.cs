namespace MultiAgent.Contracts;

/// <summary>
/// What an agent instance publishes every few seconds on <see cref="Subjects.Heartbeat"/>: who it is, what it does,
/// and its figures since it started. A registry that stops hearing from it marks it unhealthy.
/// </summary>
/// <param name="TasksProcessed">Tasks finished since start, successfully or not.</param>
/// <param name="TasksFailed">Of those, the ones that failed (retried, failed or dead-lettered).</param>
/// <param name="AverageDurationMs">Mean wall time of the finished tasks.</param>
/// <param name="InFlight">Tasks running now.</param>
/// <param name="HeapAfterGcBytes">The managed heap's size after the last garbage collection: what the process really keeps (a leak shows here).</param>
public sealed record AgentHeartbeat(
    AgentType AgentType,
    string InstanceId,
    AgentState State,
    DateTimeOffset Timestamp,
    DateTimeOffset StartedAt,
    long TasksProcessed = 0,
    long TasksFailed = 0,
    double AverageDurationMs = 0,
    DateTimeOffset? LastCompletedAt = null,
    int InFlight = 0,
    long WorkingSetBytes = 0,
    double CpuPercent = 0,
    long HeapAfterGcBytes = 0)
{
    /// <summary>Failed share of the processed tasks (0 when none were processed).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public double ErrorRate => TasksProcessed == 0 ? 0 : (double)TasksFailed / TasksProcessed;
}
