using MultiAgent.Contracts;

namespace Agents.RepoManager.Health;

/// <summary>The body of <c>GET /health</c> on the Repo Manager.</summary>
/// <param name="Status">"Healthy" or "Unhealthy".</param>
/// <param name="Problems">What makes the system unhealthy, in words (empty when healthy).</param>
public sealed record SystemHealthReport(
    string Status,
    DateTimeOffset Timestamp,
    IReadOnlyList<AgentHealthView> Agents,
    DependenciesView Dependencies,
    IReadOnlyList<string> Problems);

/// <summary>One agent instance in a health report.</summary>
public sealed record AgentHealthView(
    string Id,
    string Type,
    bool Healthy,
    string State,
    double UptimeSeconds,
    long TasksProcessed,
    long TasksFailed,
    double ErrorRate,
    DateTimeOffset LastHeartbeat)
{
    public static AgentHealthView From(AgentHealth agent) => new(
        agent.InstanceId, Subjects.AgentToken(agent.AgentType), agent.Healthy, agent.State.ToString().ToUpperInvariant(),
        Math.Round(agent.UptimeSeconds, 1), agent.TasksProcessed, agent.TasksFailed, Math.Round(agent.ErrorRate, 4), agent.LastHeartbeat);
}

public sealed record DependenciesView(NatsView Nats, PostgresView Postgres);

/// <param name="PendingTasks">Tasks waiting or running, all agents (messages in the tasks stream).</param>
/// <param name="DeadLetters">Dead letters kept (30 days).</param>
/// <param name="Queues">Each agent type's queue: waiting, handed out, and the limit on handed out.</param>
public sealed record NatsView(
    bool Connected, string State, string? ServerVersion, bool JetStream, long? PendingTasks, long? DeadLetters,
    IReadOnlyList<TaskQueueState>? Queues);

public sealed record PostgresView(bool Reachable, double? LatencyMs, string? Error);

/// <summary>The body of <c>GET /metrics</c>.</summary>
public sealed record SystemMetricsReport(DateTimeOffset Timestamp, SystemFigures System, IReadOnlyList<AgentFigures> Agents);

public sealed record SystemFigures(
    double UptimeSeconds,
    long WorkingSetBytes,
    long GcHeapBytes,
    double CpuTimeSeconds,
    int ProcessorCount);

/// <summary>Task figures of one agent instance, from its heartbeats.</summary>
public sealed record AgentFigures(
    string Id,
    string Type,
    bool Healthy,
    long TasksProcessed,
    long TasksFailed,
    double ErrorRate,
    double AverageDurationMs,
    DateTimeOffset? LastCompletedAt,
    long WorkingSetBytes,
    double CpuPercent,
    long HeapAfterGcBytes);
