using System.Data.Common;
using Microsoft.Extensions.Logging;
using MultiAgent.Messaging;
using MultiAgent.Persistence;
using NATS.Client.Core;

namespace MultiAgent.AgentRuntime.Tasks;

/// <summary>
/// One delivery's claim on a running task, kept alive every third of the task bus's AckWait on both sides: an
/// in-progress acknowledgement, so that JetStream does not hand the task out again, and a renewal of the task store's
/// lease, so that a delivery JetStream hands out anyway steps aside instead of running the task a second time. The
/// lease holds for twice AckWait: a holder that stalls long enough for JetStream to redeliver (a busy machine, a long
/// pause) still keeps its task, and only one that missed every renewal for that long (a dead one) is taken over. If
/// another delivery did take the task over, <see cref="Lost"/> is cancelled: the task must then stop without
/// acknowledging anything, the other delivery owns it now.
/// </summary>
internal sealed partial class TaskLease : IDisposable
{
    private readonly CancellationTokenSource _lost = new();
    private readonly TaskStore _tasks;
    private readonly ILogger _logger;

    private TaskLease(TaskStore tasks, string taskId, string holder, TaskBusOptions bus, ILogger logger)
    {
        _tasks = tasks;
        _logger = logger;
        TaskId = taskId;
        Holder = holder;
        Duration = DurationFor(bus);
        RenewalInterval = bus.AckWait / 3;
    }

    public string TaskId { get; }

    /// <summary>The holder's name in the task store: the agent instance and a part unique to this delivery.</summary>
    public string Holder { get; }

    /// <summary>How long the lease holds unless renewed: <see cref="DurationFor"/>.</summary>
    public TimeSpan Duration { get; }

    /// <summary>How often it is renewed (and the delivery kept in progress): a third of AckWait.</summary>
    public TimeSpan RenewalInterval { get; }

    /// <summary>Cancelled when another delivery took the task over.</summary>
    public CancellationToken Lost => _lost.Token;

    public bool IsLost => _lost.IsCancellationRequested;

    /// <summary>The lease of one delivery of <paramref name="taskId"/> in the instance <paramref name="instanceId"/>.</summary>
    public static TaskLease For(TaskStore tasks, string taskId, string instanceId, TaskBusOptions bus, ILogger logger) =>
        new(tasks, taskId, NewHolder(instanceId), bus, logger);

    /// <summary>Twice AckWait: a holder must miss six renewals in a row before another delivery can take its task.</summary>
    public static TimeSpan DurationFor(TaskBusOptions bus) => bus.AckWait * 2;

    /// <summary>A holder name no other delivery has: the instance id, then a random part.</summary>
    public static string NewHolder(string instanceId) => $"{instanceId}/{Guid.NewGuid().ToString("N")[..12]}";

    /// <summary>
    /// Renews the lease and sends an in-progress acknowledgement every <see cref="RenewalInterval"/> until
    /// <paramref name="running"/> is cancelled or the lease is lost. A database or NATS error skips one renewal; the
    /// next one tries again (a lease that ran out is renewed as long as nobody took the task over).
    /// </summary>
    public async Task KeepAliveAsync(TaskDelivery delivery, CancellationToken running)
    {
        try
        {
            while (true)
            {
                await Task.Delay(RenewalInterval, running);
                if (!await RenewAsync(running))
                {
                    LogLost(TaskId, Holder);
                    await _lost.CancelAsync();
                    return;
                }

                await KeepDeliveryAsync(delivery, running);
            }
        }
        catch (OperationCanceledException)
        {
            // Ends with the task.
        }
    }

    /// <summary>
    /// Whether this delivery still holds the task, renewing the lease if so; false when another delivery took it over
    /// (the lease ran out while this one waited). A database error is thrown.
    /// </summary>
    public Task<bool> StillHeldAsync(CancellationToken cancellationToken) => _tasks.RenewLeaseAsync(TaskId, Holder, Duration, cancellationToken);

    /// <summary>Gives the lease up (the task is handed back or waits for a retry): the next delivery starts at once.</summary>
    public Task ReleaseAsync(CancellationToken cancellationToken) => _tasks.ReleaseLeaseAsync(TaskId, Holder, cancellationToken);

    public void Dispose() => _lost.Dispose();

    private async Task<bool> RenewAsync(CancellationToken running)
    {
        try
        {
            return await StillHeldAsync(running);
        }
        catch (DbException ex)
        {
            LogRenewalFailed(TaskId, ex.Message);
            return true;
        }
    }

    private async Task KeepDeliveryAsync(TaskDelivery delivery, CancellationToken running)
    {
        try
        {
            await delivery.InProgressAsync(running);
        }
        catch (NatsException ex)
        {
            // A missed in-progress ack at worst means a redelivery, which steps aside while the lease holds.
            LogInProgressFailed(TaskId, ex.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Task {TaskId}: lease of {Holder} was taken over by another delivery; stopping this run")]
    private partial void LogLost(string taskId, string holder);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Task {TaskId}: lease not renewed this time: {Reason}")]
    private partial void LogRenewalFailed(string taskId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Task {TaskId}: in-progress acknowledgement not sent this time: {Reason}")]
    private partial void LogInProgressFailed(string taskId, string reason);
}
