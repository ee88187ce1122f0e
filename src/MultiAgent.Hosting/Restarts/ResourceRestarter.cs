using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MultiAgent.Contracts;

namespace MultiAgent.Hosting.Restarts;

/// <summary>
/// Runs in the AppHost: watches every resource that carries a <see cref="RestartPolicyAnnotation"/> and starts it again
/// through Aspire's own start command (so that its endpoints, proxies and health checks work as after a start from the
/// dashboard) when it exits without being asked to. After too many short runs in a row it leaves the resource stopped
/// and shows it as "Crash loop" in the dashboard. Each restart and each crash loop is told to the
/// <see cref="IRestartAnnouncer"/>s (the event stream, see <c>WithRestartEvents</c>).
/// </summary>
public sealed partial class ResourceRestarter(
    ResourceNotificationService notifications,
    ResourceCommandService commands,
    IHostApplicationLifetime lifetime,
    ILogger<ResourceRestarter> logger,
    IEnumerable<IRestartAnnouncer> announcers,
    TimeProvider? time = null) : BackgroundService
{
    /// <summary>The dashboard state of a resource the policy gave up on.</summary>
    public const string CrashLoopState = "Crash loop";

    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly Dictionary<string, RestartTracker> _trackers = [];
    private readonly IRestartAnnouncer[] _announcers = [.. announcers];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var update in notifications.WatchAsync(stoppingToken))
            {
                if (!update.Resource.TryGetLastAnnotation<RestartPolicyAnnotation>(out var policy))
                {
                    continue;
                }

                if (!_trackers.TryGetValue(update.ResourceId, out var tracker))
                {
                    _trackers[update.ResourceId] = tracker = new RestartTracker(policy.Options);
                }

                var now = _time.GetUtcNow();
                var decision = tracker.Observe(
                    update.Snapshot.State?.Text, now, lifetime.ApplicationStopping.IsCancellationRequested, update.Snapshot.StartTimeStamp);
                switch (decision)
                {
                    case RestartDecision.RestartAfter restart:
                        LogRestarting(update.ResourceId, update.Snapshot.ExitCode, restart.Uptime.TotalSeconds, restart.Delay.TotalSeconds, restart.Restart);
                        Announce(RestartEvents.Restarted(update.Resource.Name, update.Snapshot.ExitCode, restart.Uptime, restart.Delay, restart.Restart, now));
                        _ = RestartAsync(update.ResourceId, restart.Delay, stoppingToken);
                        break;
                    case RestartDecision.GiveUp giveUp:
                        LogCrashLoop(update.ResourceId, giveUp.ShortRuns, policy.Options.MinUptime.TotalSeconds);
                        await notifications.PublishUpdateAsync(update.Resource, update.ResourceId, snapshot => snapshot with
                        {
                            State = new ResourceStateSnapshot(CrashLoopState, KnownResourceStateStyles.Error),
                        });
                        Announce(RestartEvents.CrashLoop(update.Resource.Name, update.Snapshot.ExitCode, giveUp.ShortRuns, policy.Options.MinUptime, now));
                        break;
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The AppHost is stopping.
        }
    }

    private void Announce(SystemEvent systemEvent)
    {
        foreach (var announcer in _announcers)
        {
            announcer.Announce(systemEvent);
        }
    }

    private async Task RestartAsync(string resourceId, TimeSpan delay, CancellationToken stoppingToken)
    {
        try
        {
            await Task.Delay(delay, _time, stoppingToken);
            if (lifetime.ApplicationStopping.IsCancellationRequested)
            {
                return;
            }

            var result = await commands.ExecuteCommandAsync(resourceId, KnownResourceCommands.StartCommand, stoppingToken);
            if (!result.Success)
            {
                LogRestartFailed(resourceId, result.Message ?? "no reason given");
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The AppHost is stopping.
        }
        catch (Exception ex)
        {
            // Started without being awaited: a failure must be said here, or nobody hears of it.
            LogRestartFailed(resourceId, ex.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "{Resource} exited (exit code {ExitCode}) after {Uptime:0.#} s without being asked to; starting it again in {Delay:0.#} s (restart {Restart})")]
    private partial void LogRestarting(string resource, int? exitCode, double uptime, double delay, int restart);

    [LoggerMessage(Level = LogLevel.Error,
        Message = "{Resource} exited {ShortRuns} times in a row within {MinUptime:0.#} s of starting; it is left stopped (crash loop). Fix the cause, then start it from the dashboard")]
    private partial void LogCrashLoop(string resource, int shortRuns, double minUptime);

    [LoggerMessage(Level = LogLevel.Error, Message = "Starting {Resource} again failed: {Reason}")]
    private partial void LogRestartFailed(string resource, string reason);
}
