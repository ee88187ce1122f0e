using System.Collections.Concurrent;
using MultiAgent.Contracts;
using MultiAgent.Messaging;
using NATS.Client.Core;

namespace Agents.RepoManager.Health;

/// <summary>
/// Keeps the parts the AppHost left stopped in a crash loop, from the system events it publishes
/// (<see cref="SystemEventTypes.AgentCrashLoop"/>), so that the health report can name them. A crash loop ends when
/// the part is seen back: an instance of that agent type (of any replica: <c>coder-2</c> runs the Coder) that started
/// after it is healthy, or NATS or PostgreSQL
/// answered the dependency probe after it, or the AppHost restarted it (<see cref="SystemEventTypes.AgentRestarted"/>).
/// Only live events count: after a restart of the Repo Manager, a part still down shows as not reporting. Parts are told
/// apart by the AppHost that announced them too (<see cref="SystemEvent.AnnouncingHost"/>): an agent host's "coder" and
/// the system's are two parts, and one's restart does not end the other's crash loop.
/// </summary>
public sealed class CrashLoopMonitor(INatsConnection nats, ILogger<CrashLoopMonitor> logger, TimeProvider? time = null)
    : NatsListener(logger, time)
{
    /// <summary>The AppHost's names of the servers whose crash loop the dependency probe can see ending.</summary>
    public const string NatsResource = "nats";
    public const string PostgresResource = "postgres";

    private readonly ConcurrentDictionary<(string Host, string Resource), SystemEvent> _loops = new();

    private static (string Host, string Resource) PartOf(SystemEvent systemEvent) => (systemEvent.AnnouncingHost() ?? "", systemEvent.Resource);

    /// <summary>Records a system event (also used directly by tests).</summary>
    public void Record(SystemEvent systemEvent)
    {
        ArgumentNullException.ThrowIfNull(systemEvent);
        var part = PartOf(systemEvent);
        switch (systemEvent.Type)
        {
            case SystemEventTypes.AgentCrashLoop:
                _loops.AddOrUpdate(part, systemEvent, (_, known) => systemEvent.Timestamp >= known.Timestamp ? systemEvent : known);
                break;
            case SystemEventTypes.AgentRestarted:
                if (_loops.TryGetValue(part, out var loop) && systemEvent.Timestamp > loop.Timestamp)
                {
                    _loops.TryRemove(KeyValuePair.Create(part, loop));
                }

                break;
        }
    }

    /// <summary>
    /// The crash loops not yet over, oldest first; those that <paramref name="agents"/> and
    /// <paramref name="dependencies"/> show to be over are forgotten.
    /// </summary>
    public IReadOnlyList<SystemEvent> Active(IReadOnlyList<AgentHealth> agents, DependencySnapshot dependencies)
    {
        foreach (var (part, loop) in _loops)
        {
            if (IsOver(loop, agents, dependencies))
            {
                _loops.TryRemove(KeyValuePair.Create(part, loop));
            }
        }

        return [.. _loops.Values.OrderBy(l => l.Timestamp)];
    }

    private static bool IsOver(SystemEvent loop, IReadOnlyList<AgentHealth> agents, DependencySnapshot dependencies)
    {
        if (AgentCatalogue.OfResource(loop.Resource) is { } agent)
        {
            return agents.Any(a => a.AgentType == agent.Type && a.Healthy && a.LastHeartbeat.AddSeconds(-a.UptimeSeconds) > loop.Timestamp);
        }

        return loop.Resource switch
        {
            NatsResource => dependencies.NatsConnected && dependencies.CheckedAt > loop.Timestamp,
            PostgresResource => dependencies.PostgresReachable && dependencies.CheckedAt > loop.Timestamp,
            _ => false,
        };
    }

    protected override string Subscription => "System event";

    protected override async Task ListenAsync(CancellationToken stoppingToken)
    {
        await foreach (var systemEvent in SystemEventStream.SubscribeAsync(nats, logger, stoppingToken))
        {
            Record(systemEvent);
        }
    }
}
