namespace MultiAgent.Contracts;

/// <summary>One agent instance as the Repo Manager's registry sees it.</summary>
/// <param name="Healthy">Heard from within the heartbeat timeout and not stopped.</param>
/// <param name="ErrorRate">Failed share of the processed tasks, 0..1.</param>
public sealed record AgentHealth(
    AgentType AgentType,
    string InstanceId,
    bool Healthy,
    AgentState State,
    DateTimeOffset LastHeartbeat,
    double UptimeSeconds,
    long TasksProcessed,
    long TasksFailed,
    double ErrorRate,
    double AverageDurationMs,
    DateTimeOffset? LastCompletedAt = null);
