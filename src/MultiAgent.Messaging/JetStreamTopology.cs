using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MultiAgent.Contracts;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;

namespace MultiAgent.Messaging;

/// <summary>
/// Creates or updates the bus's streams and the durable pull consumer of every agent type. Idempotent, and safe
/// when several processes call it at once: a create that loses a race to another process is retried as an update.
/// </summary>
public sealed partial class JetStreamTopology(INatsJSContext js, IOptions<TaskBusOptions> options, ILogger<JetStreamTopology> logger)
{
    /// <summary>How long job events are kept.</summary>
    public static readonly TimeSpan EventsMaxAge = TimeSpan.FromDays(7);

    /// <summary>How long dead letters are kept.</summary>
    public static readonly TimeSpan DeadLetterMaxAge = TimeSpan.FromDays(30);

    private const int MaxRaceRetries = 5;

    // JetStream API error codes that mean "another process got there first" (nats-server errors.json).
    private const int StreamNameInUse = 10058;
    private const int ConsumerNameInUse = 10013;
    private const int ConsumerAlreadyExists = 10148;

    // nats-server checks a new stream's name before its subjects, so a create that raced with another process creating
    // the same stream can also fail with "subjects overlap with an existing stream" (seen in a test run). Retrying
    // updates the stream that now exists; a real overlap with another stream fails the same way on every attempt.
    private const int StreamSubjectsOverlap = 10065;

    private readonly TaskBusOptions _options = options.Value;

    /// <summary>Creates or updates the tasks, events and dead-letter streams, then the agents' consumers.</summary>
    public Task EnsureAsync(CancellationToken cancellationToken) => EnsureAsync(AgentCatalogue.Types, cancellationToken);

    /// <summary>
    /// Creates or updates the three streams and the consumers of <paramref name="agents"/> only. An agent makes just its
    /// own consumer (its NATS user may create no other); tasks published before a consumer exists wait in the stream.
    /// </summary>
    public async Task EnsureAsync(IEnumerable<AgentType> agents, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(agents);
        foreach (var stream in StreamConfigs(_options))
        {
            await WithRaceRetryAsync(
                stream.Name!, ct => js.CreateOrUpdateStreamAsync(stream, ct).AsTask(), cancellationToken);
        }

        foreach (var agent in agents)
        {
            var consumer = ConsumerConfigFor(agent, _options);
            await WithRaceRetryAsync(
                $"{Subjects.TasksStream}/{consumer.DurableName}",
                ct => js.CreateOrUpdateConsumerAsync(Subjects.TasksStream, consumer, ct).AsTask(),
                cancellationToken);
        }

        LogEnsured(logger, Subjects.TasksStream, Subjects.EventsStream, Subjects.DeadLetterStream);
    }

    /// <summary>The configuration of the three streams.</summary>
    public static IReadOnlyList<StreamConfig> StreamConfigs(TaskBusOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return
        [
            // Only the declared subjects: a task for an agent that does not exist is refused, not kept forever.
            new StreamConfig(Subjects.TasksStream, [.. Subjects.AllTaskSubjects])
            {
                Description = "Tasks for the agents; a task leaves the stream when it is acked.",
                NumReplicas = options.StreamReplicas,
                Retention = StreamConfigRetention.Workqueue,
                Storage = StreamConfigStorage.File,
                DuplicateWindow = options.DuplicateWindow,
                MaxBytes = options.StreamMaxBytes,

                // Full: refuse new tasks (the publisher sees an error) rather than drop queued ones.
                Discard = StreamConfigDiscard.New,
            },
            new StreamConfig(Subjects.EventsStream, [Subjects.EventsAll, Subjects.SystemEventsAll])
            {
                Description = "Job events and system events (restarts, crash loops) for observers.",
                NumReplicas = options.StreamReplicas,
                // System events carry their id as the message id: a publish retried after a lost answer is kept once.
                DuplicateWindow = options.DuplicateWindow,
                Retention = StreamConfigRetention.Limits,
                Storage = StreamConfigStorage.File,
                MaxAge = EventsMaxAge,
                MaxBytes = options.StreamMaxBytes,
                Discard = StreamConfigDiscard.Old,
            },
            new StreamConfig(Subjects.DeadLetterStream, [.. Subjects.AllDeadLetterSubjects])
            {
                Description = "Tasks given up on, with the reason in a header.",
                NumReplicas = options.StreamReplicas,
                Retention = StreamConfigRetention.Limits,
                Storage = StreamConfigStorage.File,
                MaxAge = DeadLetterMaxAge,
                MaxBytes = options.StreamMaxBytes,
                Discard = StreamConfigDiscard.Old,
                DuplicateWindow = options.DuplicateWindow,
            },
        ];
    }

    /// <summary>The durable pull consumer shared by every instance of <paramref name="agent"/>.</summary>
    public static ConsumerConfig ConsumerConfigFor(AgentType agent, TaskBusOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new ConsumerConfig(Subjects.DurableConsumer(agent))
        {
            FilterSubject = Subjects.Tasks(agent),
            AckPolicy = ConsumerConfigAckPolicy.Explicit,
            DeliverPolicy = ConsumerConfigDeliverPolicy.All,
            AckWait = options.AckWait,
            MaxAckPending = options.MaxAckPending,

            // Unlimited on purpose: the runtime, not the server, bounds attempts (TaskBusOptions.MaxAttempts, counted
            // by the task store from the deliveries that started the task). With a server-side MaxDeliver, a task whose
            // agent crashes on every attempt would stop being delivered without anyone acking it, and so would sit in the
            // work-queue stream forever; with -1 it keeps being redelivered until an agent sees it started MaxAttempts
            // times and dead-letters it. Deliveries that never ran it (the store unreachable, the task leased to another
            // delivery) do not count.
            MaxDeliver = -1,
        };
    }

    private async Task WithRaceRetryAsync(string what, Func<CancellationToken, Task> ensure, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await ensure(cancellationToken);
                return;
            }
            catch (NatsJSApiException ex) when (attempt < MaxRaceRetries && IsLostRace(ex.Error))
            {
                // Another process created it between our update (not found) and our create: re-read and update.
                LogLostRace(logger, what, ex.Error.ErrCode, ex.Error.Description ?? "", attempt);
                await Task.Delay(TimeSpan.FromMilliseconds(50 * attempt + Random.Shared.Next(50)), cancellationToken);
            }
            catch (NatsJSApiNoResponseException) when (attempt < MaxRaceRetries && !cancellationToken.IsCancellationRequested)
            {
                // The server did not answer in time (a busy machine: creating file-backed streams from several
                // processes at once, seen in a test run). Creating or updating is idempotent, so asking again is safe.
                LogNoResponse(logger, what, attempt);
                await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt + Random.Shared.Next(100)), cancellationToken);
            }
        }
    }

    private static bool IsLostRace(ApiError error) =>
        error.ErrCode is StreamNameInUse or StreamSubjectsOverlap or ConsumerNameInUse or ConsumerAlreadyExists
        || (error.Description?.Contains("already", StringComparison.OrdinalIgnoreCase) ?? false);

    [LoggerMessage(Level = LogLevel.Information, Message = "JetStream topology ensured: streams {Tasks}, {Events}, {DeadLetter} and the agents' consumers")]
    private static partial void LogEnsured(ILogger logger, string tasks, string events, string deadLetter);

    [LoggerMessage(Level = LogLevel.Warning, Message = "JetStream did not answer the request to create or update {What}; asking again, attempt {Attempt}")]
    private static partial void LogNoResponse(ILogger logger, string what, int attempt);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Creating {What} raced with another process ({ErrCode}: {Description}); retrying, attempt {Attempt}")]
    private static partial void LogLostRace(ILogger logger, string what, int errCode, string description, int attempt);
}
