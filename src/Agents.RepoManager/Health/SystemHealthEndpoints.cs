using System.Diagnostics;
using Agents.RepoManager.Registry;
using MultiAgent.Contracts;

namespace Agents.RepoManager.Health;

/// <summary>
/// The system's health, answered by the Repo Manager (the one process that knows every agent, through the registry):
/// <c>GET /health</c>, <c>GET /health/agents/{id}</c>, <c>GET /metrics</c>. All from memory: the registry's heartbeats
/// and the dependency monitor's last probe.
/// </summary>
public static class SystemHealthEndpoints
{
    /// <summary>The agent types the system needs; each must have a healthy instance.</summary>
    private static readonly AgentType[] RequiredAgents = [.. AgentCatalogue.All.Where(a => a.RequiredForHealth).Select(a => a.Type)];

    public static WebApplication MapSystemHealth(this WebApplication app)
    {
        app.MapGet("/health", (AgentRegistry registry, DependencyMonitor dependencies, CrashLoopMonitor crashLoops, TimeProvider time) =>
        {
            var report = BuildReport(registry, dependencies.Current, time.GetUtcNow(), crashLoops);
            return Results.Json(report, statusCode: report.Problems.Count == 0 ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
        });

        app.MapGet("/health/agents/{id}", (string id, AgentRegistry registry) =>
            registry.Find(id) is { } agent
                ? Results.Json(AgentHealthView.From(agent))
                : Results.Json(new { error = $"no agent '{id}'" }, statusCode: StatusCodes.Status404NotFound));

        app.MapGet("/metrics", (AgentRegistry registry, TimeProvider time) =>
        {
            using var process = Process.GetCurrentProcess();
            var now = time.GetUtcNow();
            return Results.Json(new SystemMetricsReport(
                now,
                new SystemFigures(
                    Math.Round((now - process.StartTime.ToUniversalTime()).TotalSeconds, 1),
                    process.WorkingSet64,
                    GC.GetTotalMemory(forceFullCollection: false),
                    Math.Round(process.TotalProcessorTime.TotalSeconds, 3),
                    Environment.ProcessorCount),
                registry.Snapshot(includeStopped: true)
                    .Select(a => new AgentFigures(a.InstanceId, Subjects.AgentToken(a.AgentType), a.Healthy, a.TasksProcessed,
                        a.TasksFailed, Math.Round(a.ErrorRate, 4), Math.Round(a.AverageDurationMs, 1), a.LastCompletedAt,
                        a.WorkingSetBytes, a.CpuPercent, a.HeapAfterGcBytes))
                    .ToList()));
        });
        return app;
    }

    /// <summary>
    /// The health report from what the registry and the dependency monitor last saw, and the crash loops the AppHost
    /// announced that are not over (first among the problems: they are why a part is missing).
    /// </summary>
    public static SystemHealthReport BuildReport(
        AgentRegistry registry, DependencySnapshot dependencies, DateTimeOffset now, CrashLoopMonitor? crashLoops = null)
    {
        var agents = registry.Snapshot(includeStopped: true);
        var problems = new List<string>();
        foreach (var loop in crashLoops?.Active(agents, dependencies) ?? [])
        {
            problems.Add($"crash loop since {loop.Timestamp.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z: {loop.Message}");
        }

        foreach (var type in RequiredAgents)
        {
            var instances = agents.Where(a => a.AgentType == type).ToList();
            if (instances.Count == 0)
            {
                problems.Add($"no {Subjects.AgentToken(type)} agent has reported");
            }
            else if (!instances.Any(a => a.Healthy))
            {
                problems.Add($"no healthy {Subjects.AgentToken(type)} agent: " +
                    string.Join(", ", instances.Select(a => $"{a.InstanceId} ({a.State.ToString().ToUpperInvariant()}, last heard {(now - a.LastHeartbeat).TotalSeconds:0}s ago)")));
            }
        }

        if (!dependencies.NatsConnected)
        {
            problems.Add($"NATS is not connected ({dependencies.NatsState})");
        }

        if (!dependencies.PostgresReachable)
        {
            problems.Add($"PostgreSQL is not reachable ({dependencies.PostgresError})");
        }

        foreach (var queue in dependencies.Queues?.Where(q => q.IsFull) ?? [])
        {
            problems.Add($"the {queue.Agent} task queue is full: {queue.HandedOut} of {queue.MaxHandedOut} tasks handed out are " +
                $"unacknowledged, {queue.Waiting} more wait (an agent stuck or crashing on them; see the dead-letter stream and its logs)");
        }

        return new SystemHealthReport(
            problems.Count == 0 ? "Healthy" : "Unhealthy",
            now,
            agents.Select(AgentHealthView.From).ToList(),
            new DependenciesView(
                new NatsView(dependencies.NatsConnected, dependencies.NatsState, dependencies.NatsServerVersion, dependencies.JetStreamAvailable,
                    dependencies.PendingTasks, dependencies.DeadLetters, dependencies.Queues),
                new PostgresView(dependencies.PostgresReachable, dependencies.PostgresLatencyMs is { } ms ? Math.Round(ms, 2) : null, dependencies.PostgresError)),
            problems);
    }
}
