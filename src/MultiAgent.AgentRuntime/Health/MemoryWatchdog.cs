using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MultiAgent.AgentRuntime.Health;

/// <summary>
/// Compares the process's working set with <see cref="AgentRuntimeOptions.MemoryLimitBytes"/>. Past it, the agent is
/// drained the way SIGTERM drains it (no new task; running ones finish within the grace period or are handed back to the
/// bus) and the process exits with <see cref="ExitCode"/>, so that the AppHost's restart policy starts a fresh one.
/// </summary>
public sealed partial class MemoryWatchdog(
    IOptions<AgentRuntimeOptions> options,
    IHostApplicationLifetime lifetime,
    ILogger<MemoryWatchdog> logger,
    TimeProvider? time = null) : BackgroundService
{
    /// <summary>The exit code of an agent that stopped because it used too much memory (EX_TEMPFAIL: start it again).</summary>
    public const int ExitCode = 75;

    private readonly TimeProvider _time = time ?? TimeProvider.System;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var limit = options.Value.MemoryLimitBytes;
        if (limit <= 0)
        {
            return;
        }

        try
        {
            using var timer = new PeriodicTimer(options.Value.MemoryCheckInterval, _time);
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                var used = Environment.WorkingSet;
                if (used > limit)
                {
                    LogOverLimit(used >> 20, limit >> 20, ExitCode);
                    Environment.ExitCode = ExitCode;
                    lifetime.StopApplication();
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The agent is stopping.
        }
    }

    [LoggerMessage(Level = LogLevel.Critical,
        Message = "The agent uses {UsedMb} MB, more than its limit of {LimitMb} MB (MultiAgent:Agent:MemoryLimitBytes): it takes no new task, hands its running ones back and exits with code {ExitCode} to be started again")]
    private partial void LogOverLimit(long usedMb, long limitMb, int exitCode);
}
