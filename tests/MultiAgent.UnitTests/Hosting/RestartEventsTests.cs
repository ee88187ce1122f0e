using MultiAgent.Contracts;
using MultiAgent.Hosting.Restarts;

namespace MultiAgent.UnitTests.Hosting;

/// <summary>What the restart policy announces on the event stream: type, resource, wording and data.</summary>
public sealed class RestartEventsTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 20, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_restart_says_what_exited_how_and_when_it_starts_again()
    {
        var restarted = RestartEvents.Restarted("coder", 137, TimeSpan.FromSeconds(42.34), TimeSpan.FromSeconds(4), 2, Now);

        Assert.Equal((SystemEventTypes.AgentRestarted, "coder", Now), (restarted.Type, restarted.Resource, restarted.Timestamp));
        Assert.Equal(
            "coder exited (exit code 137) after 42.3 s without being asked to; the AppHost starts it again in 4 s (restart 2)",
            restarted.Message);
        var data = restarted.Data!.Value;
        Assert.Equal((137, 42.3, 4.0, 2), (data.GetProperty("exitCode").GetInt32(), data.GetProperty("uptimeSeconds").GetDouble(),
            data.GetProperty("delaySeconds").GetDouble(), data.GetProperty("restart").GetInt32()));
        Assert.Equal("multiagent.system.coder.agent_restarted", SystemEventTypes.Subject(restarted.Resource, restarted.Type));
    }

    [Fact]
    public void A_crash_loop_says_the_part_is_left_stopped_and_what_to_do()
    {
        var loop = RestartEvents.CrashLoop("postgres", null, 10, TimeSpan.FromSeconds(10), Now);

        Assert.Equal((SystemEventTypes.AgentCrashLoop, "postgres"), (loop.Type, loop.Resource));
        Assert.Equal(
            "postgres exited 10 times in a row within 10 s of starting (last: no exit code); the AppHost left it stopped (crash loop): " +
            "its log says why; fix the cause and start it from the dashboard",
            loop.Message);
        Assert.Equal(10, loop.Data!.Value.GetProperty("shortRuns").GetInt32());
    }

    [Fact]
    public void Every_event_has_an_id_of_its_own_and_survives_the_wire()
    {
        var first = RestartEvents.CrashLoop("coder", 3, 3, TimeSpan.FromSeconds(10), Now);
        var second = RestartEvents.CrashLoop("coder", 3, 3, TimeSpan.FromSeconds(10), Now);

        var read = MessageSerializer.DeserializeMessage<SystemEvent>(MessageSerializer.SerializeMessage(first));

        Assert.NotEqual(first.Id, second.Id);
        Assert.Equal((first.Id, first.Type, first.Resource, first.Message, first.Timestamp), (read.Id, read.Type, read.Resource, read.Message, read.Timestamp));
        Assert.Equal(first.Data!.Value.GetRawText(), read.Data!.Value.GetRawText());
    }
}
