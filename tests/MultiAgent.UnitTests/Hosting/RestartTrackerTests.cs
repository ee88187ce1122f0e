using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.Configuration;
using MultiAgent.Hosting.Restarts;

namespace MultiAgent.UnitTests.Hosting;

/// <summary>The AppHost's restart policy, fed the states Aspire reports for a resource.</summary>
public sealed class RestartTrackerTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly RestartPolicyOptions _options = new();
    private DateTimeOffset _now = Start;

    [Fact]
    public void A_crash_after_a_long_run_is_restarted_after_the_delay_and_so_is_the_next_one()
    {
        var tracker = new RestartTracker(_options);

        var first = RunThenExit(tracker, TimeSpan.FromMinutes(5), KnownResourceStates.Exited);
        var second = RunThenExit(tracker, TimeSpan.FromMinutes(5), KnownResourceStates.Finished);

        Assert.Equal(new RestartDecision.RestartAfter(TimeSpan.FromSeconds(4), 1, TimeSpan.FromMinutes(5)), first);
        Assert.Equal(new RestartDecision.RestartAfter(TimeSpan.FromSeconds(4), 2, TimeSpan.FromMinutes(5)), second);
        Assert.False(tracker.CrashLooping);
    }

    [Fact]
    public void Short_runs_in_a_row_double_the_delay_up_to_the_cap_and_the_tenth_gives_up()
    {
        var tracker = new RestartTracker(_options);

        var decisions = Enumerable.Range(0, 10).Select(_ => RunThenExit(tracker, TimeSpan.FromSeconds(2), KnownResourceStates.Exited)).ToList();

        Assert.Equal([4, 8, 16, 32, 60, 60, 60, 60, 60], decisions.Take(9).Select(d => ((RestartDecision.RestartAfter)d).Delay.TotalSeconds));
        Assert.Equal(new RestartDecision.GiveUp(10), decisions[9]);
        Assert.True(tracker.CrashLooping);
    }

    [Fact]
    public void A_long_run_starts_the_count_of_short_runs_again()
    {
        var tracker = new RestartTracker(_options with { MaxRestarts = 3 });

        RunThenExit(tracker, TimeSpan.FromSeconds(1), KnownResourceStates.Exited);
        RunThenExit(tracker, TimeSpan.FromSeconds(1), KnownResourceStates.Exited);
        var afterLongRun = RunThenExit(tracker, TimeSpan.FromMinutes(1), KnownResourceStates.Exited);
        var shortAgain = RunThenExit(tracker, TimeSpan.FromSeconds(1), KnownResourceStates.Exited);

        Assert.Equal(TimeSpan.FromSeconds(4), Assert.IsType<RestartDecision.RestartAfter>(afterLongRun).Delay);
        Assert.Equal(TimeSpan.FromSeconds(4), Assert.IsType<RestartDecision.RestartAfter>(shortAgain).Delay);
    }

    [Fact]
    public void A_resource_that_fails_while_starting_counts_as_a_short_run()
    {
        var tracker = new RestartTracker(_options with { MaxRestarts = 2 });

        tracker.Observe(KnownResourceStates.Starting, _now, shuttingDown: false);
        var first = tracker.Observe(KnownResourceStates.FailedToStart, _now, shuttingDown: false);
        tracker.Observe(KnownResourceStates.Starting, _now, shuttingDown: false);
        var second = tracker.Observe(KnownResourceStates.FailedToStart, _now, shuttingDown: false);

        Assert.Equal(new RestartDecision.RestartAfter(TimeSpan.FromSeconds(4), 1, TimeSpan.Zero), first);
        Assert.Equal(new RestartDecision.GiveUp(2), second);
    }

    [Fact]
    public void A_stop_on_request_and_the_apphost_shutting_down_restart_nothing()
    {
        var tracker = new RestartTracker(_options);

        tracker.Observe(KnownResourceStates.Running, _now, shuttingDown: false);
        tracker.Observe(KnownResourceStates.Stopping, _now, shuttingDown: false);
        var stopped = tracker.Observe(KnownResourceStates.Exited, _now, shuttingDown: false);
        tracker.Observe(KnownResourceStates.Running, _now, shuttingDown: false);
        var shutDown = tracker.Observe(KnownResourceStates.Exited, _now, shuttingDown: true);
        var disabled = RunThenExit(new RestartTracker(_options with { Enabled = false }), TimeSpan.FromMinutes(1), KnownResourceStates.Exited);

        Assert.Same(RestartDecision.None, stopped);
        Assert.Same(RestartDecision.None, shutDown);
        Assert.Same(RestartDecision.None, disabled);
    }

    [Fact]
    public void A_resource_first_seen_already_exited_crashed_before_the_policy_watched_and_is_restarted()
    {
        var tracker = new RestartTracker(_options);

        var first = tracker.Observe(KnownResourceStates.Finished, _now, shuttingDown: false);

        Assert.Equal(new RestartDecision.RestartAfter(TimeSpan.FromSeconds(4), 1, TimeSpan.Zero), first);
    }

    [Fact]
    public void A_crash_looping_resource_started_by_hand_is_watched_afresh()
    {
        var tracker = new RestartTracker(_options with { MaxRestarts = 1 });

        var gaveUp = RunThenExit(tracker, TimeSpan.FromSeconds(1), KnownResourceStates.Exited);
        tracker.Observe(ResourceRestarter.CrashLoopState, _now, shuttingDown: false);
        var afterManualStart = RunThenExit(tracker, TimeSpan.FromMinutes(10), KnownResourceStates.Exited);

        Assert.IsType<RestartDecision.GiveUp>(gaveUp);
        Assert.IsType<RestartDecision.RestartAfter>(afterManualStart);
    }

    [Theory]
    [InlineData("Delay", "00:00:00")]
    [InlineData("MaxDelay", "00:00:01")]
    [InlineData("MaxRestarts", "0")]
    [InlineData("MinUptime", "-00:00:01")]
    public void Settings_that_cannot_work_are_refused_naming_them(string setting, string value)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection([new($"MultiAgent:Restart:{setting}", value)]).Build();

        var error = Assert.Throws<InvalidOperationException>(() => RestartPolicyOptions.From(configuration));

        Assert.StartsWith($"MultiAgent:Restart:{setting} ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Settings_are_read_from_the_restart_section()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(
        [
            new("MultiAgent:Restart:Delay", "00:00:01"),
            new("MultiAgent:Restart:MaxRestarts", "3"),
            new("MultiAgent:Restart:Enabled", "false"),
        ]).Build();

        var options = RestartPolicyOptions.From(configuration);

        Assert.Equal(new RestartPolicyOptions { Delay = TimeSpan.FromSeconds(1), MaxRestarts = 3, Enabled = false }, options);
    }

    [Fact]
    public void The_same_runs_exit_reported_again_after_a_restart_began_counts_once()
    {
        var tracker = new RestartTracker(_options with { MaxRestarts = 3 });
        var firstRun = _now.UtcDateTime;

        tracker.Observe(KnownResourceStates.Running, _now, shuttingDown: false, firstRun);
        var first = tracker.Observe(KnownResourceStates.Exited, _now + TimeSpan.FromSeconds(1), shuttingDown: false, firstRun);
        // The restart begins, and the notifications repeat the old run's exit before the new run shows.
        tracker.Observe(KnownResourceStates.Starting, _now + TimeSpan.FromSeconds(2), shuttingDown: false, firstRun);
        var again = tracker.Observe(KnownResourceStates.Exited, _now + TimeSpan.FromSeconds(2), shuttingDown: false, firstRun);

        Assert.IsType<RestartDecision.RestartAfter>(first);
        Assert.Equal(RestartDecision.None, again);
        Assert.False(tracker.CrashLooping);
    }

    [Fact]
    public void A_new_runs_exit_counts_even_when_its_start_was_never_reported()
    {
        var tracker = new RestartTracker(_options with { MaxRestarts = 3 });

        tracker.Observe(KnownResourceStates.Running, _now, shuttingDown: false, _now.UtcDateTime);
        var first = tracker.Observe(KnownResourceStates.Exited, _now + TimeSpan.FromSeconds(1), shuttingDown: false, _now.UtcDateTime);
        // A busy AppHost's notifications show only the second run's end.
        var second = tracker.Observe(KnownResourceStates.Exited, _now + TimeSpan.FromSeconds(3), shuttingDown: false, _now.UtcDateTime.AddSeconds(2));

        Assert.Equal(1, ((RestartDecision.RestartAfter)first).Restart);
        Assert.Equal(2, ((RestartDecision.RestartAfter)second).Restart);
    }

    private RestartDecision RunThenExit(RestartTracker tracker, TimeSpan uptime, string exitState)
    {
        tracker.Observe(KnownResourceStates.Starting, _now, shuttingDown: false);
        tracker.Observe(KnownResourceStates.Running, _now, shuttingDown: false);
        _now += uptime;
        return tracker.Observe(exitState, _now, shuttingDown: false);
    }
}
