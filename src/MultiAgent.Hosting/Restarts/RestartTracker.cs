using Aspire.Hosting.ApplicationModel;

namespace MultiAgent.Hosting.Restarts;

/// <summary>What to do after a state change of a resource under the restart policy.</summary>
public abstract record RestartDecision
{
    private RestartDecision()
    {
    }

    /// <summary>Nothing to do.</summary>
    public static readonly RestartDecision None = new Nothing();

    /// <summary>Start it again after <paramref name="Delay"/>; <paramref name="Restart"/> counts the restarts so far.</summary>
    public sealed record RestartAfter(TimeSpan Delay, int Restart, TimeSpan Uptime) : RestartDecision;

    /// <summary>Leave it stopped: it exited <paramref name="ShortRuns"/> times in a row soon after starting.</summary>
    public sealed record GiveUp(int ShortRuns) : RestartDecision;

    private sealed record Nothing : RestartDecision;
}

/// <summary>
/// The restart policy for one resource, fed the states Aspire reports for it. A resource that goes from Running (or
/// Starting) straight to Exited, Finished or FailedToStart crashed, as did one whose first reported state is one of those; one that passed through Stopping was stopped on
/// request (the dashboard's stop command) and stays stopped, as does everything while the AppHost shuts down.
/// </summary>
public sealed class RestartTracker(RestartPolicyOptions options)
{
    private string? _last;
    private DateTimeOffset? _runningSince;
    private int _shortRuns;
    private int _restarts;
    private DateTime? _lastRunStart;
    private DateTime? _countedRunStart;

    /// <summary>Whether the policy gave up on the resource (until it runs again, started by hand).</summary>
    public bool CrashLooping { get; private set; }

    /// <param name="runStartedAt">
    /// When the run the state belongs to started (the snapshot's start time), if known: it tells runs apart when updates
    /// come late or merged. The same run's exit reported again counts once; a new run's exit seen without its start
    /// (a busy AppHost's notifications) still counts.
    /// </param>
    public RestartDecision Observe(string? state, DateTimeOffset now, bool shuttingDown, DateTime? runStartedAt = null)
    {
        var newRun = runStartedAt is not null && runStartedAt != _lastRunStart;
        if (state is null || (state == _last && !newRun))
        {
            return RestartDecision.None;
        }

        var previous = _last;
        _last = state;
        _lastRunStart = runStartedAt ?? _lastRunStart;
        if (state == KnownResourceStates.Running)
        {
            _runningSince = now;
            CrashLooping = false;
            return RestartDecision.None;
        }

        // An exit seen first of all crashed too: the resource ran and died before the policy began to watch (a busy
        // AppHost's start; seen in CI).
        var exited = state == KnownResourceStates.Exited || state == KnownResourceStates.Finished || state == KnownResourceStates.FailedToStart;
        var counted = runStartedAt is not null && runStartedAt == _countedRunStart;
        var crashed = exited && !counted
            && (previous is null || previous == KnownResourceStates.Running || previous == KnownResourceStates.Starting || newRun);
        if (!crashed || shuttingDown || !options.Enabled)
        {
            return RestartDecision.None;
        }

        _countedRunStart = runStartedAt ?? _countedRunStart;

        var uptime = previous == KnownResourceStates.Running && _runningSince is { } since ? now - since : TimeSpan.Zero;
        _runningSince = null;
        _shortRuns = uptime < options.MinUptime ? _shortRuns + 1 : 0;
        if (_shortRuns >= options.MaxRestarts)
        {
            CrashLooping = true;
            return new RestartDecision.GiveUp(_shortRuns);
        }

        _restarts++;
        var delay = options.Delay * Math.Pow(2, Math.Max(0, _shortRuns - 1));
        return new RestartDecision.RestartAfter(delay < options.MaxDelay ? delay : options.MaxDelay, _restarts, uptime);
    }
}
