using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Options;
using MultiAgent.Contracts;
using MultiAgent.Messaging;
using NATS.Client.Core;
using NATS.Net;

namespace Agents.RepoManager.Registry;

/// <summary>
/// Announces an agent type gone silent: when no instance of a type the registry knows has sent a heartbeat within the
/// timeout, an <c>agent.unhealthy</c> system event goes on the event stream (notifications carry it), once, until an
/// instance of that type is healthy again. Its id is made from the last heartbeat heard, so several Repo Manager
/// instances announcing the same silence store it once. A type stopped on request (its last heartbeat says Stopped) is
/// not announced.
/// </summary>
public sealed partial class AgentHealthWatch(
    AgentRegistry registry,
    INatsConnection nats,
    IOptions<AgentRegistryOptions> options,
    ILogger<AgentHealthWatch> logger,
    TimeProvider? time = null) : BackgroundService
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly HashSet<AgentType> _announced = [];

    /// <summary>
    /// The announcements due now: one per agent type that has instances on record, none of them healthy, and that was
    /// not announced since it was last healthy. Marks them announced.
    /// </summary>
    public IReadOnlyList<SystemEvent> Due()
    {
        var due = new List<SystemEvent>();
        foreach (var group in registry.Snapshot().GroupBy(a => a.AgentType))
        {
            if (group.Any(a => a.Healthy))
            {
                _announced.Remove(group.Key);
                continue;
            }

            if (!_announced.Add(group.Key))
            {
                continue;
            }

            var last = group.MaxBy(a => a.LastHeartbeat)!;
            var silent = _time.GetUtcNow() - last.LastHeartbeat;
            var name = AgentCatalogue.Of(group.Key).Name;
            due.Add(new SystemEvent(
                string.Create(CultureInfo.InvariantCulture, $"agent-unhealthy-{name}-{last.LastHeartbeat.UtcTicks}"),
                SystemEventTypes.AgentUnhealthy,
                name,
                string.Create(CultureInfo.InvariantCulture,
                    $"No heartbeat from the {AgentCatalogue.Of(group.Key).DisplayName} for {silent.TotalSeconds:0} s (last from {last.InstanceId}): its tasks wait until an instance is back"),
                _time.GetUtcNow(),
                JsonSerializer.SerializeToElement(new Dictionary<string, object>
                {
                    ["agentType"] = WireName<AgentType>.Of(group.Key),
                    ["instanceId"] = last.InstanceId,
                    ["lastHeartbeat"] = last.LastHeartbeat,
                    ["silentSeconds"] = Math.Round(silent.TotalSeconds),
                })));
        }

        return due;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var js = nats.CreateJetStreamContext();
        using var timer = new PeriodicTimer(options.Value.HeartbeatTimeout / 3, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                foreach (var announcement in Due())
                {
                    LogUnhealthy(announcement.Resource, announcement.Message);
                    try
                    {
                        await SystemEventStream.PublishAsync(js, announcement, stoppingToken);
                    }
                    catch (Exception ex) when (ex is NatsException or TimeoutException)
                    {
                        // NATS is away: the health report says so already; this silence is not announced.
                        LogNotAnnounced(announcement.Resource, ex.Message);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Agent} is unhealthy: {Message}")]
    private partial void LogUnhealthy(string agent, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not announce that {Agent} is unhealthy: {Reason}")]
    private partial void LogNotAnnounced(string agent, string reason);
}
