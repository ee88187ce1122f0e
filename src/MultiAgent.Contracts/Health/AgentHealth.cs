namespace MultiAgent.Contracts;

/// <summary>One agent instance as the Repo Manager's registry sees it.</summary>
/// <param name="Healthy">Heard from within the heartbeat timeout and not stopped.</param>
/// <param name="ErrorRate">Failed share of the processed tasks, 0..1.</param>
/// <param name="WorkingSetBytes">The process's memory in use at its last heartbeat.</param>
/// <param name="HeapAfterGcBytes">Its managed heap after the last garbage collection, at its last heartbeat.</param>
/// <param name="CpuPercent">Its CPU use between its last two heartbeats, in percent of the whole machine.</param>
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
    DateTimeOffset? LastCompletedAt = null,
    long WorkingSetBytes = 0,
    double CpuPercent = 0,
    long HeapAfterGcBytes = 0);
