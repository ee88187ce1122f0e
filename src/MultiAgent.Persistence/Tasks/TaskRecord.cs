using System.Text.Json;
using MultiAgent.Contracts;

namespace MultiAgent.Persistence;

/// <summary>A task as stored in <c>tasks</c>: one message's processing by one agent, over all its delivery attempts.</summary>
public sealed record TaskRecord
{
    /// <summary>The task id (the envelope id).</summary>
    public required string Id { get; init; }

    /// <summary>The job it belongs to.</summary>
    public required string JobId { get; init; }

    /// <summary>The agent working on it.</summary>
    public required AgentType AgentType { get; init; }

    /// <summary>The message type name.</summary>
    public required string MessageType { get; init; }

    /// <summary>Lifecycle state.</summary>
    public required AgentTaskStatus Status { get; init; }

    /// <summary>How many attempts have started.</summary>
    public int Attempts { get; init; }

    /// <summary>The message payload.</summary>
    public JsonElement? Payload { get; init; }

    /// <summary>The stored result, once COMPLETED.</summary>
    public JsonElement? Outcome { get; init; }

    /// <summary>Why it failed, was cancelled or dead-lettered.</summary>
    public string? Error { get; init; }

    /// <summary>LLM tokens recorded for it.</summary>
    public TokenUsage Tokens { get; init; } = TokenUsage.Zero;

    /// <summary>When it was first recorded (UTC).</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>When the latest attempt started (UTC).</summary>
    public DateTimeOffset? StartedAt { get; init; }

    /// <summary>When it reached a terminal state (UTC).</summary>
    public DateTimeOffset? CompletedAt { get; init; }

    /// <summary>How long the successful attempt took, as reported on completion.</summary>
    public TimeSpan? Duration { get; init; }

    /// <summary>The delivery that is running it now (see <see cref="TaskStart.LeaseHolder"/>), or null.</summary>
    public string? LeaseHolder { get; init; }

    /// <summary>Until when <see cref="LeaseHolder"/>'s claim holds unless renewed (UTC), or null.</summary>
    public DateTimeOffset? LeaseExpiresAt { get; init; }

    /// <summary>When it last changed (UTC).</summary>
    public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>Whether <see cref="Status"/> is final: the task must not be worked on again.</summary>
    public bool IsTerminal => Status.IsTerminal();
}
