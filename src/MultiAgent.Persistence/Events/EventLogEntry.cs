using System.Text.Json;

namespace MultiAgent.Persistence;

/// <summary>One entry of a job's event log (<c>job_events</c>).</summary>
/// <param name="Id">Position in the log; increases with every append (across all jobs).</param>
/// <param name="JobId">The job.</param>
/// <param name="Type">What happened, e.g. "job.created".</param>
/// <param name="Message">Human-readable description.</param>
/// <param name="Data">Structured details, if any.</param>
/// <param name="CreatedAt">When it was appended (UTC).</param>
public sealed record EventLogEntry(long Id, string JobId, string Type, string Message, JsonElement? Data, DateTimeOffset CreatedAt);
