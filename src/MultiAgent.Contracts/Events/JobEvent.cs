using System.Text.Json;

namespace MultiAgent.Contracts;

/// <summary>
/// Something that happened to a job, published on <see cref="Subjects.EventsStream"/> for observers (the CLI's live view,
/// notifications) from the job's event log in PostgreSQL, the source of truth: every stored entry is published at least
/// once, and nothing that was not stored.
/// </summary>
/// <param name="JobId">The job the event belongs to (a valid subject token).</param>
/// <param name="Type">What happened; one of <see cref="JobEventTypes"/> (e.g. "task.started").</param>
/// <param name="Message">Human-readable description.</param>
/// <param name="Timestamp">When it happened.</param>
/// <param name="TaskId">The task concerned, if any.</param>
/// <param name="AgentType">The agent concerned, if any.</param>
/// <param name="Data">Extra structured detail, if any (e.g. a pull request URL).</param>
/// <param name="EventId">
/// The event's entry in the job's event log (PostgreSQL), which it is published from: unique per event, and its message
/// id on the stream, so an event published twice (by its writer and by the outbox relay) is stored once.
/// </param>
public sealed record JobEvent(
    string JobId,
    string Type,
    string Message,
    DateTimeOffset Timestamp,
    string? TaskId = null,
    AgentType? AgentType = null,
    JsonElement? Data = null,
    long? EventId = null);
