using System.Text.Json;
using Microsoft.Extensions.Logging;
using MultiAgent.Contracts;
using MultiAgent.Messaging;
using MultiAgent.Persistence;

namespace MultiAgent.AgentRuntime.Tasks;

/// <summary>
/// Records what happens to a job twice: in its timeline in PostgreSQL (the source of truth, read by job-status), and as
/// a live event on NATS (for watchers and notifications). The NATS event is best effort; the timeline is not.
/// A change of the job's state and the entries that tell of it are stored in one transaction
/// (<see cref="TransitionAsync"/>).
/// </summary>
public sealed partial class JobTimeline(
    EventLog eventLog, JobStore jobs, EventPublisher events, ILogger<JobTimeline> logger, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public async Task RecordAsync(
        string jobId, string type, string message, string? taskId = null, AgentType? agentType = null,
        JsonElement? data = null, CancellationToken cancellationToken = default)
    {
        await eventLog.AppendAsync(jobId, type, message, data, cancellationToken);
        await PublishAsync(new JobEvent(jobId, type, message, _time.GetUtcNow(), taskId, agentType, data), cancellationToken);
    }

    /// <summary>
    /// Moves the job (see <see cref="JobStore.TransitionAsync(string, JobStatus, JobChanges?, IReadOnlyList{NewJobEvent}, CancellationToken)"/>)
    /// and records <paramref name="entries"/> with it, atomically; then publishes them.
    /// </summary>
    /// <returns>Whether the job changed (false: it was terminal, unknown or already so; nothing was recorded).</returns>
    public async Task<bool> TransitionAsync(
        string jobId, JobStatus to, JobChanges? changes, IReadOnlyList<NewJobEvent> entries, string? taskId = null,
        AgentType? agentType = null, CancellationToken cancellationToken = default)
    {
        if (await jobs.TransitionAsync(jobId, to, changes, entries, cancellationToken) is not { } stored)
        {
            return false;
        }

        foreach (var entry in stored)
        {
            await PublishAsync(new JobEvent(jobId, entry.Type, entry.Message, entry.CreatedAt, taskId, agentType, entry.Data), cancellationToken);
        }

        return true;
    }

    private async Task PublishAsync(JobEvent @event, CancellationToken cancellationToken)
    {
        try
        {
            await events.PublishAsync(@event, cancellationToken);
        }
        catch (Exception ex) when (ex is NATS.Client.Core.NatsException or TimeoutException)
        {
            LogEventNotPublished(@event.Type, @event.JobId, ex.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Event {Type} of job {JobId} is in the timeline but was not published: {Reason}")]
    private partial void LogEventNotPublished(string type, string jobId, string reason);
}
