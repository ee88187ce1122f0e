using System.Text.Json;
using MultiAgent.Contracts;

namespace MultiAgent.Persistence;

/// <summary>One entry of a job's event log (<c>job_events</c>).</summary>
/// <param name="Id">Position in the log; increases with every append (across all jobs). The event's id on the stream.</param>
/// <param name="JobId">The job.</param>
/// <param name="Type">What happened, e.g. "job.created".</param>
/// <param name="Message">Human-readable description.</param>
/// <param name="Data">Structured details, if any.</param>
/// <param name="CreatedAt">When it was appended (UTC).</param>
/// <param name="TaskId">The task concerned, if any.</param>
/// <param name="AgentType">The agent concerned, if any.</param>
public sealed record EventLogEntry(
    long Id, string JobId, string Type, string Message, JsonElement? Data, DateTimeOffset CreatedAt, string? TaskId = null, AgentType? AgentType = null)
{
    /// <summary>The event as the stream carries it.</summary>
    public JobEvent ToJobEvent() => new(JobId, Type, Message, CreatedAt, TaskId, AgentType, Data, Id);
}
