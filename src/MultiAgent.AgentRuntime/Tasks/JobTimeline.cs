using System.Text.Json;
using Microsoft.Extensions.Logging;
using MultiAgent.Contracts;
using MultiAgent.Messaging;
using MultiAgent.Persistence;

namespace MultiAgent.AgentRuntime.Tasks;

/// <summary>
/// Records what happens to a job: in its event log in PostgreSQL (the source of truth, read by job-status), then on the
/// event stream (for watchers and notifications), published from what was stored. A change of the job's state and the
/// entries that tell of it are stored in one transaction (<see cref="TransitionAsync"/>). An entry published at once is
/// marked so; one that could not be (NATS away, or this process dies first) is published later by the
/// <see cref="Events.EventRelay"/>, so every stored entry reaches the stream and nothing unstored does.
/// </summary>
public sealed partial class JobTimeline(EventLog eventLog, JobStore jobs, EventPublisher events, ILogger<JobTimeline> logger)
{
    public async Task RecordAsync(
        string jobId, string type, string message, string? taskId = null, AgentType? agentType = null,
        JsonElement? data = null, CancellationToken cancellationToken = default)
    {
        var stored = await eventLog.AppendAsync(jobId, new NewJobEvent(type, message, data, taskId, agentType), cancellationToken);
        await PublishAsync([stored], cancellationToken);
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
        var tagged = entries.Select(e => e with { TaskId = e.TaskId ?? taskId, AgentType = e.AgentType ?? agentType }).ToList();
        if (await jobs.TransitionAsync(jobId, to, changes, tagged, cancellationToken) is not { } stored)
        {
            return false;
        }

        await PublishAsync(stored, cancellationToken);
        return true;
    }

    /// <summary>
    /// Publishes entries stored by another store's transaction (a task's completion with its entry, say) and marks
    /// them; what NATS does not take is left to the relay.
    /// </summary>
    public async Task PublishAsync(IReadOnlyList<EventLogEntry> stored, CancellationToken cancellationToken)
    {
        if (stored.Count == 0)
        {
            return;
        }

        var published = new List<long>(stored.Count);
        try
        {
            foreach (var entry in stored)
            {
                await events.PublishAsync(entry.ToJobEvent(), cancellationToken);
                published.Add(entry.Id);
            }
        }
        catch (Exception ex) when (ex is NATS.Client.Core.NatsException or TimeoutException)
        {
            LogLeftToRelay(stored.Count - published.Count, stored[0].JobId, ex.Message);
        }

        try
        {
            await eventLog.MarkPublishedAsync(published, cancellationToken);
        }
        catch (Npgsql.NpgsqlException ex)
        {
            // Published but not marked: the relay publishes them again, and the stream keeps them once (message id).
            LogNotMarked(published.Count, stored[0].JobId, ex.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Count} event(s) of job {JobId} are stored but not published yet ({Reason}); the event relay will publish them")]
    private partial void LogLeftToRelay(int count, string jobId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Count} published event(s) of job {JobId} could not be marked published ({Reason}); the event relay will publish them again (stored once)")]
    private partial void LogNotMarked(int count, string jobId, string reason);
}
