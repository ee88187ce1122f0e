using System.Diagnostics;
using MultiAgent.Contracts;
using NATS.Client.Core;
using NATS.Client.JetStream;
using Npgsql;

namespace Agents.RepoManager.Health;

/// <summary>The last observed state of the system's dependencies.</summary>
/// <param name="NatsState">Open, Connecting, Reconnecting or Closed.</param>
/// <param name="Queues">Each agent type's task queue, or null when NATS cannot say.</param>
/// <param name="PostgresLatencyMs">Round trip of the last successful probe.</param>
public sealed record DependencySnapshot(
    bool NatsConnected,
    string NatsState,
    string? NatsServerVersion,
    bool JetStreamAvailable,
    long? PendingTasks,
    long? DeadLetters,
    bool PostgresReachable,
    double? PostgresLatencyMs,
    string? PostgresError,
    DateTimeOffset CheckedAt,
    IReadOnlyList<TaskQueueState>? Queues = null);

/// <summary>One agent type's task queue, as its durable consumer reports it.</summary>
/// <param name="Agent">The agent type's token ("coder").</param>
/// <param name="Waiting">Tasks not yet handed to any instance.</param>
/// <param name="HandedOut">Tasks handed out and not yet acknowledged (running, or held by an instance).</param>
/// <param name="MaxHandedOut">The consumer's limit on <paramref name="HandedOut"/> (MaxAckPending).</param>
public sealed record TaskQueueState(string Agent, long Waiting, long HandedOut, long MaxHandedOut)
{
    /// <summary>No more tasks are handed out until one of those out is acknowledged: new work waits.</summary>
    public bool IsFull => MaxHandedOut > 0 && HandedOut >= MaxHandedOut;
}

/// <summary>
/// Probes NATS and PostgreSQL in the background every <see cref="Interval"/> and keeps the result, so that the health
/// endpoints answer from memory and stay fast however busy the system is.
/// </summary>
public sealed partial class DependencyMonitor(
    INatsConnection nats, INatsJSContext js, NpgsqlDataSource database, ILogger<DependencyMonitor> logger, TimeProvider? time = null)
    : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private volatile DependencySnapshot? _last;

    /// <summary>The latest probe; before the first one, the NATS state as it is and PostgreSQL as unknown (unreachable).</summary>
    public DependencySnapshot Current => _last ?? NatsOnly("not probed yet");

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, _time);
        do
        {
            _last = await ProbeAsync(stoppingToken);
        }
        while (await NextAsync(timer, stoppingToken));
    }

    private async Task<DependencySnapshot> ProbeAsync(CancellationToken stoppingToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        timeout.CancelAfter(Interval);
        var (pendingTasks, deadLetters) = (await CountAsync(Subjects.TasksStream, timeout.Token), await CountAsync(Subjects.DeadLetterStream, timeout.Token));
        var queues = await QueuesAsync(timeout.Token);
        var clock = Stopwatch.StartNew();
        try
        {
            await using var command = database.CreateCommand("SELECT 1");
            await command.ExecuteScalarAsync(timeout.Token);
            return NatsOnly(null) with
            {
                PostgresReachable = true,
                PostgresLatencyMs = clock.Elapsed.TotalMilliseconds,
                PendingTasks = pendingTasks,
                DeadLetters = deadLetters,
                Queues = queues,
            };
        }
        catch (Exception ex) when (ex is NpgsqlException or OperationCanceledException or TimeoutException && !stoppingToken.IsCancellationRequested)
        {
            LogPostgresUnreachable(ex.Message);
            return NatsOnly(ex is OperationCanceledException ? "timed out" : ex.Message) with { PendingTasks = pendingTasks, DeadLetters = deadLetters, Queues = queues };
        }
    }

    /// <summary>Messages in a stream (tasks waiting or running; dead letters kept), or null when NATS cannot say.</summary>
    private async Task<long?> CountAsync(string stream, CancellationToken cancellationToken)
    {
        if (nats.ConnectionState != NatsConnectionState.Open)
        {
            return null;
        }

        try
        {
            return (await js.GetStreamAsync(stream, cancellationToken: cancellationToken)).Info.State.Messages;
        }
        catch (Exception ex) when (ex is NatsException or OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>Every agent type's consumer figures, or null when NATS cannot say (a consumer not created yet is left out).</summary>
    private async Task<IReadOnlyList<TaskQueueState>?> QueuesAsync(CancellationToken cancellationToken)
    {
        if (nats.ConnectionState != NatsConnectionState.Open)
        {
            return null;
        }

        var queues = new List<TaskQueueState>();
        foreach (var agent in AgentCatalogue.Types)
        {
            try
            {
                var info = (await js.GetConsumerAsync(Subjects.TasksStream, Subjects.DurableConsumer(agent), cancellationToken)).Info;
                queues.Add(new TaskQueueState(Subjects.AgentToken(agent), (long)info.NumPending, info.NumAckPending, info.Config.MaxAckPending));
            }
            catch (NatsJSApiException ex) when (ex.Error.Code == 404)
            {
                // Created by the agents at their start.
            }
            catch (Exception ex) when (ex is NatsException or OperationCanceledException)
            {
                return null;
            }
        }

        return queues;
    }

    private DependencySnapshot NatsOnly(string? postgresError) => new(
        nats.ConnectionState == NatsConnectionState.Open,
        nats.ConnectionState.ToString(),
        nats.ServerInfo?.Version,
        nats.ServerInfo?.JetStreamAvailable ?? false,
        PendingTasks: null,
        DeadLetters: null,
        PostgresReachable: false,
        PostgresLatencyMs: null,
        postgresError,
        _time.GetUtcNow());

    private static async Task<bool> NextAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "PostgreSQL did not answer the health probe: {Reason}")]
    private partial void LogPostgresUnreachable(string reason);
}
