using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using MultiAgent.Contracts;
using NATS.Client.Core;
using NATS.Client.JetStream;

namespace MultiAgent.Messaging;

/// <summary>
/// System events (<see cref="SystemEvent"/>: restarts, crash loops) on the events stream, under
/// "multiagent.system.&lt;resource&gt;.&lt;type token&gt;". The AppHost publishes them; the Repo Manager's health report
/// and, later, notifications read them.
/// </summary>
public static partial class SystemEventStream
{
    /// <summary>
    /// Publishes <paramref name="systemEvent"/> with its <see cref="SystemEvent.Id"/> as Nats-Msg-Id: publishing it again
    /// (after an answer that never came) stores nothing new.
    /// </summary>
    /// <exception cref="ArgumentException">The resource or the type cannot be used in a subject.</exception>
    /// <exception cref="NatsJSApiException">The server refused the message.</exception>
    public static async Task<PublishOutcome> PublishAsync(INatsJSContext js, SystemEvent systemEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(js);
        ArgumentNullException.ThrowIfNull(systemEvent);
        ArgumentException.ThrowIfNullOrWhiteSpace(systemEvent.Id, nameof(systemEvent));
        var ack = await js.PublishAsync(
            SystemEventTypes.Subject(systemEvent.Resource, systemEvent.Type),
            MessageSerializer.SerializeMessage(systemEvent),
            NatsRawSerializer<byte[]>.Default,
            new NatsJSPubOpts { MsgId = systemEvent.Id },
            cancellationToken: cancellationToken);
        return JetStreamAcks.ToOutcome(ack);
    }

    /// <summary>
    /// System events as they are published (a plain subscription: nothing from before it started), until
    /// <paramref name="cancellationToken"/> is cancelled. Messages that are not valid system events, or whose subject
    /// does not match their content, are skipped (and logged).
    /// </summary>
    public static async IAsyncEnumerable<SystemEvent> SubscribeAsync(
        INatsConnection nats, ILogger logger, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(nats);
        await foreach (var message in nats.SubscribeAsync(Subjects.SystemEventsAll, serializer: NatsRawSerializer<byte[]>.Default, cancellationToken: cancellationToken))
        {
            SystemEvent systemEvent;
            try
            {
                systemEvent = MessageSerializer.DeserializeMessage<SystemEvent>(message.Data ?? []);
            }
            catch (ContractViolationException ex)
            {
                LogSkipped(logger, message.Subject, ex.Message);
                continue;
            }

            // The subject is what permissions and filters go by: an event that says otherwise is not believed.
            if (!Subjects.IsValidToken(systemEvent.Resource) || !IsSubjectOf(systemEvent, message.Subject))
            {
                LogSkipped(logger, message.Subject, $"it names resource '{systemEvent.Resource}' and type '{systemEvent.Type}'");
                continue;
            }

            yield return systemEvent;
        }
    }

    private static bool IsSubjectOf(SystemEvent systemEvent, string subject)
    {
        try
        {
            return SystemEventTypes.Subject(systemEvent.Resource, systemEvent.Type) == subject;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Skipped a message on {Subject} that is not a valid system event: {Detail}")]
    private static partial void LogSkipped(ILogger logger, string subject, string detail);
}
