using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MultiAgent.Contracts;
using MultiAgent.Secrets;
using NATS.Client.Core;
using NATS.Client.JetStream;

namespace MultiAgent.Messaging;

/// <summary>
/// Moves a task the system gave up on to the dead-letter stream: the original bytes, unchanged, with the reason and
/// the ids in <see cref="DeadLetterHeaders"/>. The payload itself is never logged.
/// </summary>
public sealed partial class DeadLetterPublisher(
    INatsJSContext js, IOptions<TaskBusOptions> options, ILogger<DeadLetterPublisher> logger, SecretRedactor? redactor = null)
{
    private readonly SecretRedactor _redactor = redactor ?? new SecretRedactor();

    /// <summary>Room left for headers when the data must fit the server's max_payload, which counts headers too.</summary>
    private const int HeaderAllowance = 8 * 1024;

    private const int MaxReasonLength = 1024;
    private const int MaxIdLength = 256;

    private readonly TaskBusOptions _options = options.Value;

    /// <summary>
    /// Publishes <paramref name="rawData"/> to <see cref="Subjects.DeadLetter"/> of <paramref name="agentType"/>.
    /// Data larger than <see cref="TaskBusOptions.MaxPayloadBytes"/> (or than the server accepts) is truncated, and
    /// <see cref="DeadLetterHeaders.OriginalSize"/> says so. The message id is derived from <paramref name="taskId"/>
    /// (or, without one, from a hash of the data), so dead-lettering the same task twice within
    /// <see cref="TaskBusOptions.DuplicateWindow"/> stores it once.
    /// </summary>
    public async Task<PublishOutcome> PublishAsync(
        AgentType agentType,
        ReadOnlyMemory<byte> rawData,
        string reason,
        string? taskId,
        string? jobId,
        CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        var subject = Subjects.DeadLetter(agentType);
        var headers = new NatsHeaders
        {
            [DeadLetterHeaders.Reason] = HeaderValue(_redactor.Redact(reason) ?? "", MaxReasonLength),
            [DeadLetterHeaders.OriginalSubject] = Subjects.Tasks(agentType),
        };
        if (!string.IsNullOrWhiteSpace(taskId))
        {
            headers[DeadLetterHeaders.TaskId] = HeaderValue(taskId, MaxIdLength);
        }

        if (!string.IsNullOrWhiteSpace(jobId))
        {
            headers[DeadLetterHeaders.JobId] = HeaderValue(jobId, MaxIdLength);
        }

        var limit = DataLimit();
        var data = rawData;
        if (data.Length > limit)
        {
            headers[DeadLetterHeaders.OriginalSize] = rawData.Length.ToString(CultureInfo.InvariantCulture);
            data = data[..limit];
        }

        var messageId = MessageIdFor(agentType, taskId, rawData.Span);
        var ack = await js.PublishAsync(
            subject,
            data,
            NatsRawSerializer<ReadOnlyMemory<byte>>.Default,
            new NatsJSPubOpts { MsgId = messageId },
            headers,
            cancellationToken);
        var outcome = JetStreamAcks.ToOutcome(ack);
        LogDeadLettered(logger, agentType, taskId, jobId, rawData.Length, data.Length < rawData.Length, outcome.IsDuplicate, reason);
        return outcome;
    }

    /// <summary>
    /// The Nats-Msg-Id of a dead letter, per agent type (the same bad body sent to three agents is three dead letters):
    /// "dlq-&lt;agent&gt;-task-&lt;taskId&gt;" when the task id is short and plain,
    /// "dlq-&lt;agent&gt;-task-sha256-&lt;hash of the task id&gt;" when not, and
    /// "dlq-&lt;agent&gt;-data-sha256-&lt;hash of the data&gt;" without a task id.
    /// </summary>
    public static string MessageIdFor(AgentType agentType, string? taskId, ReadOnlySpan<byte> rawData)
    {
        var prefix = $"dlq-{Subjects.AgentToken(agentType)}-";
        if (string.IsNullOrWhiteSpace(taskId))
        {
            return prefix + "data-sha256-" + Convert.ToHexStringLower(SHA256.HashData(rawData));
        }

        return taskId.Length <= MaxIdLength && taskId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':')
            ? prefix + "task-" + taskId
            : prefix + "task-sha256-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(taskId)));
    }

    private int DataLimit()
    {
        var serverMax = js.Connection.ServerInfo?.MaxPayload ?? 0;
        return serverMax > HeaderAllowance
            ? Math.Min(_options.MaxPayloadBytes, serverMax - HeaderAllowance)
            : _options.MaxPayloadBytes;
    }

    /// <summary>Header values are single-line: control characters become spaces, and long values are cut.</summary>
    private static string HeaderValue(string value, int maxLength)
    {
        var chars = value.Trim().Select(c => char.IsControl(c) ? ' ' : c).Take(maxLength).ToArray();
        return new string(chars);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dead-lettered a {AgentType} task (task {TaskId}, job {JobId}, {Size} bytes, truncated: {Truncated}, duplicate: {Duplicate}): {Reason}")]
    private static partial void LogDeadLettered(
        ILogger logger, AgentType agentType, string? taskId, string? jobId, int size, bool truncated, bool duplicate, string reason);
}
