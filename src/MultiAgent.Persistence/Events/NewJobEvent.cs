using System.Text.Json;
using MultiAgent.Contracts;

namespace MultiAgent.Persistence;

/// <summary>An entry to append to a job's event log (see <see cref="EventLog"/> and <see cref="JobStore.TransitionAsync(string, MultiAgent.Contracts.JobStatus, JobChanges?, IReadOnlyList{NewJobEvent}, CancellationToken)"/>).</summary>
/// <param name="Type">What happened, e.g. "job.transition".</param>
/// <param name="Message">Human-readable description (redacted before it is stored).</param>
/// <param name="Data">Structured details, if any (redacted before they are stored).</param>
/// <param name="TaskId">The task concerned, if any.</param>
/// <param name="AgentType">The agent concerned, if any.</param>
public sealed record NewJobEvent(string Type, string Message, JsonElement? Data = null, string? TaskId = null, AgentType? AgentType = null);
