using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using MultiAgent.Contracts;
using MultiAgent.Secrets;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;

namespace MultiAgent.Messaging;

/// <summary>
/// Publishes job events to the events stream and follows them. Events go to
/// "multiagent.events.&lt;jobId&gt;.&lt;type token&gt;", the type mapped by <see cref="JobEventTypes.ToSubjectToken"/>.
/// </summary>
public sealed partial class EventPublisher(INatsJSContext js, ILogger<EventPublisher> logger, SecretRedactor? redactor = null)
{
    private readonly SecretRedactor _redactor = redactor ?? new SecretRedactor();

    /// <summary>The stream's message id of the job event stored as entry <paramref name="eventId"/> of the event log.</summary>
    public static string MessageId(long eventId) => "job-event-" + eventId.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// Publishes <paramref name="jobEvent"/>; with an <see cref="JobEvent.EventId"/>, as message <see cref="MessageId"/>, so
    /// publishing it again within the stream's duplicate window stores nothing (<see cref="PublishOutcome.IsDuplicate"/>).
    /// </summary>
    /// <exception cref="ArgumentException">The job id or the type cannot be used in a subject.</exception>
    public async Task<PublishOutcome> PublishAsync(JobEvent jobEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(jobEvent);
        var subject = JobEventTypes.Subject(jobEvent.JobId, jobEvent.Type);
        var data = MessageSerializer.SerializeMessage(jobEvent with
        {
            Message = _redactor.Redact(jobEvent.Message) ?? "",
            Data = jobEvent.Data is { } details ? _redactor.Redact(details) : null,
        });
        var ack = await js.PublishAsync(
            subject,
            data,
            NatsRawSerializer<byte[]>.Default,
            new NatsJSPubOpts { MsgId = jobEvent.EventId is { } id ? MessageId(id) : null },
            TraceHeaders.ForJob(jobEvent.JobId),
            cancellationToken);
        return JetStreamAcks.ToOutcome(ack);
    }

    /// <summary>
    /// The events of one job (or of every job, if <paramref name="jobId"/> is null): first those the stream still
    /// holds, oldest first, then new ones as they are published, until <paramref name="cancellationToken"/> is
    /// cancelled. Uses an ordered ephemeral consumer, so nothing is left on the server afterwards. Messages that are
    /// not valid events are skipped (and logged).
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="jobId"/> is not a valid subject token.</exception>
    public async IAsyncEnumerable<JobEvent> SubscribeAsync(
        string? jobId, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var filter = jobId is null ? Subjects.EventsAll : Subjects.EventsForJob(jobId);

        // The prefix check below repeats the server-side filter: servers before 2.10 ignore the filter_subjects
        // field ordered consumers are created with, and would deliver every job's events.
        var prefix = filter[..^1];
        var consumer = await js.CreateOrderedConsumerAsync(
            Subjects.EventsStream,
            new NatsJSOrderedConsumerOpts { FilterSubjects = [filter], DeliverPolicy = ConsumerConfigDeliverPolicy.All },
            cancellationToken);

        await foreach (var message in consumer.ConsumeAsync(NatsRawSerializer<byte[]>.Default, cancellationToken: cancellationToken))
        {
            if (!message.Subject.StartsWith(prefix, StringComparison.Ordinal))
            {
                continue;
            }

            JobEvent jobEvent;
            try
            {
                jobEvent = MessageSerializer.DeserializeMessage<JobEvent>(message.Data ?? []);
            }
            catch (ContractViolationException ex)
            {
                LogSkipped(logger, message.Subject, ex.Reason, ex.Message);
                continue;
            }

            if (jobId is null || string.Equals(jobEvent.JobId, jobId, StringComparison.Ordinal))
            {
                yield return jobEvent;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Skipped an event on {Subject} that is not a valid job event ({Reason}): {Detail}")]
    private static partial void LogSkipped(ILogger logger, string subject, ContractViolationReason reason, string detail);
}
