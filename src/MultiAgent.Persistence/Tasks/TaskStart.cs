using System.Text.Json;
using MultiAgent.Contracts;

namespace MultiAgent.Persistence;

/// <summary>A delivery of a task about to be worked on (see <see cref="TaskStore.BeginAttemptAsync"/>).</summary>
public sealed record TaskStart
{
    /// <summary>The task id (the envelope id).</summary>
    public required string TaskId { get; init; }

    /// <summary>The job it belongs to (the envelope's correlation id); the job need not exist.</summary>
    public required string JobId { get; init; }

    /// <summary>The agent working on it.</summary>
    public required AgentType AgentType { get; init; }

    /// <summary>The message type name, e.g. "implementation.request".</summary>
    public required string MessageType { get; init; }

    /// <summary>The message payload, kept with the first attempt; null or undefined stores nothing.</summary>
    public JsonElement? Payload { get; init; }

    /// <summary>
    /// Who asks to run the task: unique per delivery (two deliveries of one task in one process are two holders).
    /// Renew and release the lease under the same name.
    /// </summary>
    public required string LeaseHolder { get; init; }

    /// <summary>How long the lease holds unless renewed (<see cref="TaskStore.RenewLeaseAsync"/>).</summary>
    public required TimeSpan LeaseDuration { get; init; }
}
