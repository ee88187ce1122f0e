using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MultiAgent.Contracts;
using NATS.Client.Core;

namespace MultiAgent.AgentRuntime.Health;

/// <summary>
/// Publishes the instance's <see cref="AgentHeartbeat"/> on core NATS every <see cref="AgentRuntimeOptions.HeartbeatInterval"/>,
/// and a last one with state STOPPED when the host stops, so a registry can tell a clean stop from a lost agent.
/// </summary>
internal sealed partial class HeartbeatPublisher(
    AgentIdentity identity,
    AgentMetrics metrics,
    INatsConnection nats,
    IOptions<AgentRuntimeOptions> options,
    ILogger<HeartbeatPublisher> logger,
    TimeProvider? time = null) : BackgroundService
{
    private readonly string _subject = Subjects.Heartbeat(identity.AgentType, identity.InstanceId);
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.HeartbeatInterval, _time);
        do
        {
            await PublishAsync(metrics.Snapshot(), stoppingToken);
        }
        while (await WaitForNextTickAsync(timer, stoppingToken));
    }

    /// <summary>How long the last heartbeat may take before the instance stops without it.</summary>
    internal static readonly TimeSpan LastHeartbeatTimeout = TimeSpan.FromSeconds(1);

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        // Sent only on an open connection, and for a second at most: with NATS away (a whole system stopping stops its
        // servers at the same time as its agents) a publish would wait for a reconnection, and hold up the stop by the
        // client's command timeout. The registry then notices the silence instead.
        if (nats.ConnectionState == NatsConnectionState.Open)
        {
            using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            bounded.CancelAfter(LastHeartbeatTimeout);
            await PublishAsync(metrics.Snapshot(stopped: true), bounded.Token);
        }
    }

    private static async Task<bool> WaitForNextTickAsync(PeriodicTimer timer, CancellationToken stoppingToken)
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

    private async Task PublishAsync(AgentHeartbeat heartbeat, CancellationToken cancellationToken)
    {
        try
        {
            await nats.PublishAsync(_subject, MessageSerializer.SerializeMessage(heartbeat), cancellationToken: cancellationToken);
        }
        catch (Exception ex) when (ex is NatsException or OperationCanceledException)
        {
            // A missed heartbeat is what the registry is there to notice; the next one follows.
            LogMissed(ex.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Heartbeat not published: {Reason}")]
    private partial void LogMissed(string reason);
}
