using Agents.RepoManager.Registry;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MultiAgent.Contracts;

namespace MultiAgent.UnitTests.RepoManager;

public sealed class AgentRegistryTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);
    private readonly ManualTimeProvider _clock = new(Start);
    private readonly AgentRegistry _registry;

    public AgentRegistryTests()
    {
        _registry = new AgentRegistry(
            null!, Options.Create(new AgentRegistryOptions { HeartbeatTimeout = TimeSpan.FromSeconds(15) }),
            NullLogger<AgentRegistry>.Instance, _clock);
    }

    private AgentHeartbeat Beat(string instance, AgentState state = AgentState.Idle, long processed = 0, long failed = 0) =>
        new(AgentType.Coder, instance, state, _clock.GetUtcNow(), Start, processed, failed, 120, null, 0);

    [Fact]
    public void An_agent_is_healthy_while_its_heartbeats_arrive_and_unhealthy_once_they_stop()
    {
        _registry.Record(Beat("coder-a", processed: 4, failed: 1));
        _clock.Advance(TimeSpan.FromSeconds(10));
        var fresh = Assert.Single(_registry.Snapshot());

        _clock.Advance(TimeSpan.FromSeconds(6));
        var silent = Assert.Single(_registry.Snapshot());

        Assert.True(fresh.Healthy);
        Assert.Equal(0.25, fresh.ErrorRate);
        Assert.False(silent.Healthy);
        Assert.Equal("coder-a", silent.InstanceId);
    }

    [Fact]
    public void A_new_heartbeat_makes_it_healthy_again_and_an_older_one_is_ignored()
    {
        var first = Beat("coder-a");
        _clock.Advance(TimeSpan.FromSeconds(20));
        _registry.Record(Beat("coder-a", AgentState.Busy));
        _registry.Record(first);

        var agent = Assert.Single(_registry.Snapshot());
        Assert.True(agent.Healthy);
        Assert.Equal(AgentState.Busy, agent.State);
    }

    [Fact]
    public void A_stopped_agent_is_listed_only_on_request_and_never_healthy()
    {
        _registry.Record(Beat("coder-a", AgentState.Stopped));
        _registry.Record(Beat("coder-b"));

        Assert.Equal(["coder-b"], _registry.Snapshot().Select(a => a.InstanceId));
        var stopped = _registry.Snapshot(includeStopped: true).Single(a => a.InstanceId == "coder-a");
        Assert.False(stopped.Healthy);
        Assert.Equal(AgentState.Stopped, _registry.Find("coder-a")!.State);
        Assert.Null(_registry.Find("coder-z"));
    }
}
