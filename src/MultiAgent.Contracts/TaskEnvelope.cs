using System.Text.Json;

namespace MultiAgent.Contracts;

/// <summary>
/// Versioned wrapper around every workflow message on the task streams. Build one with
/// <see cref="MessageSerializer.Wrap{T}"/>; read the payload with <see cref="MessageSerializer.Unwrap{T}"/>.
/// Record equality compares <see cref="Payload"/> by reference, not by content.
/// </summary>
/// <param name="Id">Stable id of this message; used as the JetStream Nats-Msg-Id for de-duplication.</param>
/// <param name="Type">Message type name of <paramref name="Payload"/> (one of <see cref="MessageTypes"/>).</param>
/// <param name="AgentType">The agent the message is addressed to.</param>
/// <param name="CorrelationId">The job id this message belongs to.</param>
/// <param name="SchemaVersion">Envelope schema version; must equal <see cref="CurrentSchemaVersion"/> to be read.</param>
/// <param name="Payload">The message itself, as JSON.</param>
/// <param name="Priority">Scheduling priority.</param>
/// <param name="Status">Task state at the time the envelope was written.</param>
/// <param name="CreatedAt">When the message was first created.</param>
/// <param name="UpdatedAt">When the envelope was last changed (e.g. on retry).</param>
/// <param name="Attempt">1-based delivery attempt.</param>
public sealed record TaskEnvelope(
    string Id,
    string Type,
    AgentType AgentType,
    string CorrelationId,
    int SchemaVersion,
    JsonElement Payload,
    TaskPriority Priority = TaskPriority.Normal,
    AgentTaskStatus Status = AgentTaskStatus.Pending,
    DateTimeOffset CreatedAt = default,
    DateTimeOffset UpdatedAt = default,
    int Attempt = 1)
{
    /// <summary>The schema version this build writes and accepts.</summary>
    public const int CurrentSchemaVersion = 1;

    /// <summary>The longest <see cref="Id"/> or <see cref="CorrelationId"/> a reader accepts.</summary>
    public const int MaxIdLength = 200;
}
