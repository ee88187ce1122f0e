using Microsoft.Extensions.Options;
using MultiAgent.Contracts;
using MultiAgent.Secrets;
using NATS.Client.Core;
using NATS.Client.JetStream;

namespace MultiAgent.Messaging;

/// <summary>
/// Publishes task envelopes to the tasks stream, on the subject of the agent type they are addressed to, every string
/// in the payload passed through the <see cref="SecretRedactor"/> (credential shapes only when none is given).
/// </summary>
public sealed class TaskPublisher(INatsJSContext js, IOptions<TaskBusOptions> options, SecretRedactor? redactor = null)
{
    private readonly TaskBusOptions _options = options.Value;
    private readonly SecretRedactor _redactor = redactor ?? new SecretRedactor();

    /// <summary>
    /// Publishes <paramref name="envelope"/> to <see cref="Subjects.Tasks"/> of its <see cref="TaskEnvelope.AgentType"/>,
    /// with <see cref="TaskEnvelope.Id"/> as Nats-Msg-Id: publishing the same envelope again within
    /// <see cref="TaskBusOptions.DuplicateWindow"/> stores nothing and reports <see cref="PublishOutcome.IsDuplicate"/>.
    /// </summary>
    /// <exception cref="PayloadTooLargeException">The serialized envelope exceeds <see cref="TaskBusOptions.MaxPayloadBytes"/>.</exception>
    /// <exception cref="NatsJSApiException">The server refused the message.</exception>
    public async Task<PublishOutcome> PublishAsync(TaskEnvelope envelope, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        ArgumentException.ThrowIfNullOrWhiteSpace(envelope.Id, nameof(envelope));
        var subject = Subjects.Tasks(envelope.AgentType);
        var data = MessageSerializer.Serialize(envelope with { Payload = _redactor.Redact(envelope.Payload) });
        if (data.Length > _options.MaxPayloadBytes)
        {
            throw new PayloadTooLargeException($"Task envelope {envelope.Id} ({envelope.Type})", data.Length, _options.MaxPayloadBytes);
        }

        var ack = await js.PublishAsync(
            subject,
            data,
            NatsRawSerializer<byte[]>.Default,
            new NatsJSPubOpts { MsgId = envelope.Id },
            TraceHeaders.ForJob(envelope.CorrelationId),
            cancellationToken);
        return JetStreamAcks.ToOutcome(ack);
    }
}
