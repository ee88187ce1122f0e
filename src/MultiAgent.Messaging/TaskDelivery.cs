using System.Diagnostics.CodeAnalysis;
using MultiAgent.Contracts;
using NATS.Client.JetStream;

namespace MultiAgent.Messaging;

/// <summary>
/// One delivery of one task message, valid or not. Process it only if <see cref="IsValid"/>. When
/// <see cref="Violation"/> is set, dead-letter <see cref="RawData"/> and then ack or terminate the delivery;
/// <see cref="Envelope"/> may still be set then (an envelope addressed to another agent), so that its ids can be reported.
/// </summary>
public sealed class TaskDelivery
{
    private readonly INatsJSMsg<byte[]> _message;

    internal TaskDelivery(
        INatsJSMsg<byte[]> message,
        AgentType agentType,
        ReadOnlyMemory<byte> rawData,
        TaskEnvelope? envelope,
        ContractViolationException? violation)
    {
        _message = message;
        AgentType = agentType;
        RawData = rawData;
        Envelope = envelope;
        Violation = violation;
        Subject = message.Subject;
        NumDelivered = message.Metadata?.NumDelivered ?? 1;
        StreamSequence = message.Metadata?.Sequence.Stream ?? 0;
        MessageId = message.Headers is { } headers && headers.TryGetValue("Nats-Msg-Id", out var id) && id.Count > 0
            ? id.ToString()
            : null;
        TraceParent = TraceHeaders.ParentOf(message.Headers);
    }

    /// <summary>The publisher's trace context (W3C, from the headers), or default when the message carried none.</summary>
    public System.Diagnostics.ActivityContext TraceParent { get; }

    /// <summary>The agent type of the consumer that received the delivery.</summary>
    public AgentType AgentType { get; }

    /// <summary>The envelope, if the message could be read; check <see cref="Violation"/> (or <see cref="IsValid"/>) first.</summary>
    public TaskEnvelope? Envelope { get; }

    /// <summary>
    /// Why the message must not be processed, or null if it may: whatever <see cref="MessageSerializer.Deserialize"/>
    /// rejected; a body over <see cref="TaskBusOptions.MaxPayloadBytes"/> (reported as
    /// <see cref="ContractViolationReason.MalformedJson"/>, the body is not parsed); or an envelope whose
    /// <see cref="TaskEnvelope.AgentType"/> is not this consumer's (<see cref="ContractViolationReason.TypeMismatch"/>).
    /// </summary>
    public ContractViolationException? Violation { get; }

    /// <summary>Whether the task may be processed: <see cref="Envelope"/> is set and <see cref="Violation"/> is not.</summary>
    [MemberNotNullWhen(true, nameof(Envelope))]
    [MemberNotNullWhen(false, nameof(Violation))]
    public bool IsValid => Violation is null && Envelope is not null;

    /// <summary>The message body exactly as received.</summary>
    public ReadOnlyMemory<byte> RawData { get; }

    /// <summary>The subject the message was published on.</summary>
    public string Subject { get; }

    /// <summary>How many times the server has delivered this message, this delivery included (1 the first time).</summary>
    public ulong NumDelivered { get; }

    /// <summary>The message's sequence in the tasks stream.</summary>
    public ulong StreamSequence { get; }

    /// <summary>The Nats-Msg-Id header (the envelope id, for messages from <see cref="TaskPublisher"/>).</summary>
    public string? MessageId { get; }

    /// <summary>The task is done: the server removes it from the work-queue stream. Waits for the server to confirm.</summary>
    public Task AckAsync(CancellationToken cancellationToken = default) =>
        _message.AckAsync(new AckOpts { DoubleAck = true }, cancellationToken).AsTask();

    /// <summary>The attempt failed: the server redelivers the task after <paramref name="delay"/>.</summary>
    public Task NakAsync(TimeSpan delay, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero);
        return _message.NakAsync(new AckOpts { NakDelay = delay }, cancellationToken).AsTask();
    }

    /// <summary>Still working: restarts the server's ack-wait timer (<see cref="TaskBusOptions.AckWait"/>).</summary>
    public Task InProgressAsync(CancellationToken cancellationToken = default) =>
        _message.AckProgressAsync(cancellationToken: cancellationToken).AsTask();

    /// <summary>
    /// Never redeliver: the server stops delivering the task (and, being a work queue, drops it). Waits for the server
    /// to confirm. Dead-letter the task first if it is to be kept.
    /// </summary>
    public Task TermAsync(CancellationToken cancellationToken = default) =>
        _message.AckTerminateAsync(new AckOpts { DoubleAck = true }, cancellationToken).AsTask();
}
