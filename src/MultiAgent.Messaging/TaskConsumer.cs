using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MultiAgent.Contracts;
using NATS.Client.Core;
using NATS.Client.JetStream;

namespace MultiAgent.Messaging;

/// <summary>
/// Reads tasks from the durable consumer of an agent type. Every instance of an agent reads from the same durable
/// consumer, so the instances share the work; each asks for <see cref="TaskBusOptions.PullBatchSize"/> tasks at a
/// time, so that none of them sits on tasks another could be doing.
/// </summary>
public sealed partial class TaskConsumer(INatsJSContext js, IOptions<TaskBusOptions> options, ILogger<TaskConsumer> logger)
{
    private readonly TaskBusOptions _options = options.Value;

    /// <summary>
    /// Delivers the tasks addressed to <paramref name="agentType"/> until <paramref name="cancellationToken"/> is
    /// cancelled. Malformed messages are delivered too, with <see cref="TaskDelivery.Violation"/> set, so that the
    /// caller can dead-letter them; they never end the enumeration. Every delivery must be acked, nak'ed or terminated.
    /// The consumer must exist (<see cref="JetStreamTopology.EnsureAsync"/>).
    /// </summary>
    /// <exception cref="NatsJSApiException">The durable consumer does not exist.</exception>
    public async IAsyncEnumerable<TaskDelivery> ConsumeAsync(
        AgentType agentType, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var consumer = await js.GetConsumerAsync(Subjects.TasksStream, Subjects.DurableConsumer(agentType), cancellationToken);

        // NATS.Net counts a message as taken only when the caller asks for the next one, and pulls again then: with a
        // batch of 1, an instance holds just the task in hand, and the server hands the rest to the other instances.
        // The pull's expiry sets the idle heartbeat (half of it), and so how soon a pull lost in a NATS restart is
        // noticed and made again (TaskBusOptions.PullExpiry).
        var consumeOptions = new NatsJSConsumeOpts
        {
            MaxMsgs = _options.PullBatchSize,
            Expires = _options.PullExpiry,
            IdleHeartbeat = _options.PullExpiry / 2,
        };

        // Raw bytes, not a JSON deserializer: a message that is not a valid envelope must still reach the caller.
        await foreach (var message in consumer.ConsumeAsync(NatsRawSerializer<byte[]>.Default, consumeOptions, cancellationToken))
        {
            yield return Inspect(message, agentType);
        }
    }

    private TaskDelivery Inspect(INatsJSMsg<byte[]> message, AgentType agentType)
    {
        var data = message.Data ?? [];
        TaskEnvelope? envelope = null;
        ContractViolationException? violation = null;
        if (data.Length > _options.MaxPayloadBytes)
        {
            violation = new ContractViolationException(
                ContractViolationReason.MalformedJson,
                $"the message is {data.Length} bytes, more than the {_options.MaxPayloadBytes} bytes allowed; it was not read.");
        }
        else
        {
            try
            {
                envelope = MessageSerializer.Deserialize(data);
                if (envelope.AgentType != agentType)
                {
                    violation = new ContractViolationException(
                        ContractViolationReason.TypeMismatch,
                        $"envelope {envelope.Id} is addressed to {envelope.AgentType}, but arrived on {message.Subject} for {agentType}.");
                }
            }
            catch (ContractViolationException ex)
            {
                violation = ex;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Whatever else a hostile body makes the reader throw, it is that message's fault, not the loop's.
                violation = new ContractViolationException(ContractViolationReason.MalformedJson, $"the message cannot be read: {ex.Message}", ex);
            }
        }

        var delivery = new TaskDelivery(message, agentType, data, envelope, violation);
        if (violation is not null)
        {
            LogViolation(logger, delivery.Subject, delivery.StreamSequence, delivery.NumDelivered, violation.Reason, violation.Message);
        }

        return delivery;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Task message {Subject} #{Sequence} (delivery {NumDelivered}) violates the contract ({Reason}): {Detail}")]
    private static partial void LogViolation(ILogger logger, string subject, ulong sequence, ulong numDelivered, ContractViolationReason reason, string detail);
}
