using System.Text.Json;
using Microsoft.Extensions.Logging;
using MultiAgent.Contracts;
using MultiAgent.Messaging;
using MultiAgent.Persistence;

namespace MultiAgent.AgentRuntime.Tasks;

/// <summary>
/// Records what happens to a job twice: in its timeline in PostgreSQL (the source of truth, read by job-status), and as
/// a live event on NATS (for watchers and notifications). The NATS event is best effort; the timeline is not.
/// </summary>
public sealed partial class JobTimeline(EventLog eventLog, EventPublisher events, ILogger<JobTimeline> logger, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public async Task RecordAsync(
        string jobId, string type, string message, string? taskId = null, AgentType? agentType = null,
        JsonElement? data = null, CancellationToken cancellationToken = default)
    {
        await eventLog.AppendAsync(jobId, type, message, data, cancellationToken);
        try
        {
            await events.PublishAsync(new JobEvent(jobId, type, message, _time.GetUtcNow(), taskId, agentType, data), cancellationToken);
        }
        catch (Exception ex) when (ex is NATS.Client.Core.NatsException or TimeoutException)
        {
            LogEventNotPublished(type, jobId, ex.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Event {Type} of job {JobId} is in the timeline but was not published: {Reason}")]
    private partial void LogEventNotPublished(string type, string jobId, string reason);
}
