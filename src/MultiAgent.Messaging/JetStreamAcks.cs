using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;

namespace MultiAgent.Messaging;

/// <summary>Turns a JetStream publish ack into a <see cref="PublishOutcome"/>.</summary>
internal static class JetStreamAcks
{
    /// <summary>
    /// Unlike <c>EnsureSuccess</c> of NATS.Net, a duplicate is not an error here: it is reported in the outcome.
    /// </summary>
    /// <exception cref="NatsJSApiException">The server refused the message.</exception>
    public static PublishOutcome ToOutcome(PubAckResponse ack)
    {
        ArgumentNullException.ThrowIfNull(ack);
        if (ack.Error is { } error)
        {
            throw new NatsJSApiException(error);
        }

        return new PublishOutcome(ack.Stream ?? "", ack.Seq, ack.Duplicate);
    }
}
