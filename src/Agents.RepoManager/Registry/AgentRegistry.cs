using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using MultiAgent.Contracts;
using NATS.Client.Core;

namespace Agents.RepoManager.Registry;

/// <summary>
/// Every agent instance the Repo Manager has heard from, kept from their heartbeats (the plan's AgentManager).
/// An instance is healthy while its heartbeats arrive within the timeout and it has not stopped.
/// </summary>
public sealed partial class AgentRegistry(
    INatsConnection nats,
    IOptions<AgentRegistryOptions> options,
    ILogger<AgentRegistry> logger,
    TimeProvider? time = null) : NatsListener(logger, time)
{
    private readonly ConcurrentDictionary<string, AgentHeartbeat> _instances = new();

    /// <summary>The instances known now, healthy or not; stopped ones only when asked for.</summary>
    public IReadOnlyList<AgentHealth> Snapshot(bool includeStopped = false)
    {
        var now = Time.GetUtcNow();
        var timeout = options.Value.HeartbeatTimeout;
        foreach (var (key, heartbeat) in _instances)
        {
            if (now - heartbeat.Timestamp > options.Value.ForgetAfter)
            {
                _instances.TryRemove(key, out _);
            }
        }

        return _instances.Values
            .Where(h => includeStopped || h.State != AgentState.Stopped)
            .Select(h => new AgentHealth(
                h.AgentType,
                h.InstanceId,
                Healthy: h.State != AgentState.Stopped && now - h.Timestamp <= timeout,
                h.State,
                h.Timestamp,
                (h.Timestamp - h.StartedAt).TotalSeconds,
                h.TasksProcessed,
                h.TasksFailed,
                h.ErrorRate,
                h.AverageDurationMs,
                h.LastCompletedAt,
                h.WorkingSetBytes,
                h.CpuPercent,
                h.HeapAfterGcBytes))
            .OrderBy(h => h.AgentType)
            .ThenBy(h => h.InstanceId, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>One instance, or null when it was never heard from (or forgotten).</summary>
    public AgentHealth? Find(string instanceId) =>
        Snapshot(includeStopped: true).FirstOrDefault(a => a.InstanceId == instanceId);

    /// <summary>Records a heartbeat (also used directly by tests).</summary>
    public void Record(AgentHeartbeat heartbeat)
    {
        _instances.AddOrUpdate(heartbeat.InstanceId, heartbeat,
            (_, known) => heartbeat.Timestamp >= known.Timestamp ? heartbeat : known);
    }

    protected override string Subscription => "Heartbeat";

    protected override async Task ListenAsync(CancellationToken stoppingToken)
    {
        await foreach (var message in nats.SubscribeAsync<byte[]>(Subjects.HeartbeatsAll, cancellationToken: stoppingToken))
        {
            if (message.Data is not { Length: > 0 } data)
            {
                continue;
            }

            try
            {
                Record(MessageSerializer.DeserializeMessage<AgentHeartbeat>(data));
            }
            catch (ContractViolationException ex)
            {
                LogBadHeartbeat(message.Subject, ex.Reason.ToString());
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ignored a heartbeat on {Subject}: {Reason}")]
    private partial void LogBadHeartbeat(string subject, string reason);
}
