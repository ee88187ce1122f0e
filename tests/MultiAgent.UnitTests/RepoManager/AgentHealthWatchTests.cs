using Agents.RepoManager.Registry;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MultiAgent.Contracts;
using MultiAgent.Notifications;

namespace MultiAgent.UnitTests.RepoManager;

public sealed class AgentHealthWatchTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);
    private readonly ManualTimeProvider _clock = new(Start);
    private readonly AgentRegistry _registry;
    private readonly AgentHealthWatch _watch;

    public AgentHealthWatchTests()
    {
        var options = Options.Create(new AgentRegistryOptions { HeartbeatTimeout = TimeSpan.FromSeconds(15) });
        _registry = new AgentRegistry(null!, options, NullLogger<AgentRegistry>.Instance, _clock);
        _watch = new AgentHealthWatch(_registry, null!, options, NullLogger<AgentHealthWatch>.Instance, _clock);
    }

    private void Beat(AgentType type, string instance, AgentState state = AgentState.Idle) =>
        _registry.Record(new AgentHeartbeat(type, instance, state, _clock.GetUtcNow(), Start, 0, 0, 0, null, 0));

    [Fact]
    public void A_type_whose_every_instance_fell_silent_is_announced_once_until_it_is_healthy_again()
    {
        Beat(AgentType.Coder, "coder-a");
        Beat(AgentType.Coder, "coder-b");
        Beat(AgentType.Reviewer, "reviewer-a");
        _clock.Advance(TimeSpan.FromSeconds(10));
        Beat(AgentType.Coder, "coder-b");
        Beat(AgentType.Reviewer, "reviewer-a");
        _clock.Advance(TimeSpan.FromSeconds(10));
        var oneCoderLeft = _watch.Due(); // coder-a is silent, coder-b is not
        Beat(AgentType.Reviewer, "reviewer-a");
        _clock.Advance(TimeSpan.FromSeconds(10));

        var silent = Assert.Single(_watch.Due());
        var again = _watch.Due();
        Beat(AgentType.Coder, "coder-c");
        var back = _watch.Due();
        _clock.Advance(TimeSpan.FromSeconds(20));
        var silentAgain = _watch.Due();

        Assert.Empty(oneCoderLeft);
        Assert.Equal((SystemEventTypes.AgentUnhealthy, "coder"), (silent.Type, silent.Resource));
        Assert.Equal("No heartbeat from the Coder for 20 s (last from coder-b): its tasks wait until an instance is back", silent.Message);
        Assert.Equal($"agent-unhealthy-coder-{Start.AddSeconds(10).UtcTicks}", silent.Id);
        Assert.Empty(again);
        Assert.Empty(back);
        Assert.Equal(["coder", "reviewer"], silentAgain.Select(e => e.Resource).Order());
        // Notifications carry it as an error.
        var notification = NotificationComposer.Compose(silent);
        Assert.Equal(("Agent unhealthy: coder", NotificationLevel.Error), (notification!.Title, notification.Level));
    }

    [Fact]
    public void A_type_stopped_on_request_is_not_announced()
    {
        Beat(AgentType.Coder, "coder-a", AgentState.Stopped);
        _clock.Advance(TimeSpan.FromMinutes(1));

        Assert.Empty(_watch.Due());
    }
}
