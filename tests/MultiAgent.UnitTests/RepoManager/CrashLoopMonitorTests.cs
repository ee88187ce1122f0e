using Agents.RepoManager.Health;
using Agents.RepoManager.Registry;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MultiAgent.Contracts;
using MultiAgent.Hosting.Restarts;

namespace MultiAgent.UnitTests.RepoManager;

/// <summary>The health report names a part the AppHost left stopped in a crash loop, until the part is seen back.</summary>
public sealed class CrashLoopMonitorTests
{
    private static readonly DateTimeOffset Loop = new(2026, 12, 1, 20, 0, 0, TimeSpan.Zero);
    private readonly ManualTimeProvider _clock = new(Loop);
    private readonly CrashLoopMonitor _monitor = new(null!, NullLogger<CrashLoopMonitor>.Instance);
    private readonly AgentRegistry _registry;

    public CrashLoopMonitorTests() =>
        _registry = new AgentRegistry(null!, Options.Create(new AgentRegistryOptions { HeartbeatTimeout = TimeSpan.FromSeconds(15) }),
            NullLogger<AgentRegistry>.Instance, _clock);

    private static DependencySnapshot Dependencies(DateTimeOffset checkedAt, bool postgres = true) =>
        new(true, "Open", "2.9.10", true, 0, 0, postgres, postgres ? 1.0 : null, postgres ? null : "refused", checkedAt);

    private static SystemEvent CrashLoop(string resource, DateTimeOffset at) => RestartEvents.CrashLoop(resource, 3, 10, TimeSpan.FromSeconds(10), at);

    private AgentHeartbeat Beat(AgentType type, string instance, DateTimeOffset startedAt) =>
        new(type, instance, AgentState.Idle, _clock.GetUtcNow(), startedAt, 0, 0, 0, null, 0);

    private SystemHealthReport Report() => SystemHealthEndpoints.BuildReport(_registry, Dependencies(_clock.GetUtcNow()), _clock.GetUtcNow(), _monitor);

    [Fact]
    public void A_crash_looping_agent_makes_health_503_naming_it_first()
    {
        _registry.Record(Beat(AgentType.Reviewer, "reviewer-a", Loop.AddMinutes(-5)));
        _registry.Record(Beat(AgentType.RepoManager, "repomanager-a", Loop.AddMinutes(-5)));
        _monitor.Record(CrashLoop("coder", Loop));
        _clock.Advance(TimeSpan.FromSeconds(5));

        var report = Report();

        Assert.Equal("Unhealthy", report.Status);
        Assert.Equal(
            ["crash loop since 2026-12-01 20:00:00Z: coder exited 10 times in a row within 10 s of starting (last: exit code 3); " +
             "the AppHost left it stopped (crash loop): its log says why; fix the cause and start it from the dashboard",
             "no coder agent has reported"],
            report.Problems);
    }

    [Fact]
    public void The_crash_loop_is_over_once_an_instance_started_after_it_is_healthy_not_before()
    {
        _registry.Record(Beat(AgentType.Coder, "coder-old", Loop.AddMinutes(-5)));
        _monitor.Record(CrashLoop("coder", Loop));

        // An instance from before the loop still heard from (a second replica, or heartbeats not yet timed out).
        Assert.Single(_monitor.Active(_registry.Snapshot(), Dependencies(Loop)));

        _clock.Advance(TimeSpan.FromMinutes(2));
        _registry.Record(Beat(AgentType.Coder, "coder-new", Loop.AddMinutes(1)));
        Assert.Empty(_monitor.Active(_registry.Snapshot(), Dependencies(_clock.GetUtcNow())));

        // Forgotten: the new instance dying later is not the old crash loop.
        _clock.Advance(TimeSpan.FromMinutes(1));
        Assert.DoesNotContain(Report().Problems, p => p.StartsWith("crash loop", StringComparison.Ordinal));
    }

    [Fact]
    public void A_servers_crash_loop_is_over_when_the_probe_reaches_it_after_it_and_any_loop_when_the_AppHost_restarts_the_part()
    {
        _monitor.Record(CrashLoop("postgres", Loop));
        _monitor.Record(CrashLoop("nats", Loop.AddSeconds(1)));
        _monitor.Record(CrashLoop("reviewer", Loop.AddSeconds(2)));

        // PostgreSQL is unreachable; NATS was last probed before its loop.
        Assert.Equal(["postgres", "nats", "reviewer"], _monitor.Active([], Dependencies(Loop.AddSeconds(0.5), postgres: false)).Select(l => l.Resource));

        _monitor.Record(RestartEvents.Restarted("reviewer", 1, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(4), 1, Loop.AddSeconds(30)));
        Assert.Empty(_monitor.Active([], Dependencies(Loop.AddSeconds(10))));
    }

    [Fact]
    public void A_replicas_crash_loop_is_over_once_an_instance_of_its_agent_type_started_after_it_is_healthy()
    {
        _monitor.Record(CrashLoop("coder-2", Loop));
        Assert.Single(_monitor.Active(_registry.Snapshot(), Dependencies(Loop)));

        _clock.Advance(TimeSpan.FromMinutes(2));
        _registry.Record(Beat(AgentType.Coder, "coder-new", Loop.AddMinutes(1)));

        Assert.Empty(_monitor.Active(_registry.Snapshot(), Dependencies(_clock.GetUtcNow())));
        // A name that only looks like a replica's is no agent's: its loop stays until the AppHost restarts it.
        _monitor.Record(CrashLoop("tester-2", _clock.GetUtcNow()));
        Assert.Single(_monitor.Active(_registry.Snapshot(), Dependencies(_clock.GetUtcNow())));
    }

    [Fact]
    public void An_agent_hosts_crash_loop_is_its_own_and_the_systems_coder_restarting_does_not_end_it()
    {
        var onHost = RestartEvents.FromHost(CrashLoop("coder", Loop), "worker-1:/var/lib/multiagent/agent-host");
        _monitor.Record(onHost);
        _monitor.Record(CrashLoop("coder", Loop.AddSeconds(1)));

        // Two parts named "coder": the host's and the system's.
        Assert.Equal(["worker-1:/var/lib/multiagent/agent-host", null], _monitor.Active([], Dependencies(Loop)).Select(l => l.AnnouncingHost()));
        Assert.Contains("(agent host worker-1:/var/lib/multiagent/agent-host)", onHost.Message, StringComparison.Ordinal);

        _monitor.Record(RestartEvents.Restarted("coder", 1, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(4), 1, Loop.AddSeconds(30)));
        var left = Assert.Single(_monitor.Active([], Dependencies(Loop)));
        Assert.Equal("worker-1:/var/lib/multiagent/agent-host", left.AnnouncingHost());
        Assert.Equal(3, left.Data!.Value.GetProperty("exitCode").GetInt32()); // the event's own data is kept

        _monitor.Record(RestartEvents.FromHost(
            RestartEvents.Restarted("coder", 1, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(4), 1, Loop.AddSeconds(31)), "worker-1:/var/lib/multiagent/agent-host"));
        Assert.Empty(_monitor.Active([], Dependencies(Loop)));
    }

    [Fact]
    public void A_restart_older_than_the_loop_does_not_end_it()
    {
        _monitor.Record(CrashLoop("coder", Loop));
        _monitor.Record(RestartEvents.Restarted("coder", 1, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(4), 9, Loop.AddSeconds(-5)));

        Assert.Single(_monitor.Active([], Dependencies(Loop)));
    }
}
