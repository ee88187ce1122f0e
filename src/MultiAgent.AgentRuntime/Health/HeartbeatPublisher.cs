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

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await PublishAsync(metrics.Snapshot(stopped: true), cancellationToken);
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
