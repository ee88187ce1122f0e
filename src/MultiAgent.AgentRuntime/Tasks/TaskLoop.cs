using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MultiAgent.AgentRuntime.Health;
using MultiAgent.Contracts;
using MultiAgent.Contracts.Telemetry;
using MultiAgent.Messaging;
using MultiAgent.Persistence;
using NATS.Client.Core;
using Npgsql;

namespace MultiAgent.AgentRuntime.Tasks;

/// <summary>
/// The task loop every agent runs: consume → validate → run the message type's handler (with a timeout, in-progress
/// acks and job cancellation) → store the outcome → publish follow-ups → ack. At-least-once delivery becomes
/// exactly-once effect through the task store: a task whose outcome is stored is never run again.
/// </summary>
/// <remarks>
/// Handlers are registered per message type (<see cref="AgentBuilder.Handle{TMessage, THandler}"/>); a message of a
/// type no handler takes is failed and dead-lettered with the reason. Failures: retryable ones are handed back with a
/// delay until the attempts run out, then dead-lettered; non-retryable ones fail the task at once. Either way the job
/// is marked FAILED with the reason. Malformed messages are dead-lettered without running. On shutdown the agent takes
/// no new work, lets running tasks finish within the grace period, and hands back the rest for another instance.
/// </remarks>
public sealed partial class TaskLoop(AgentServices services, TaskHandlers handlers) : BackgroundService
{
    /// <summary>The shortest wait before a delivery that stepped aside comes back.</summary>
    private static readonly TimeSpan MinStepAside = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<string, CancellationTokenSource> _runningByJob = new();
    private readonly CancellationTokenSource _work = new();

    private AgentIdentity Identity => services.Identity;

    private ILogger Logger => services.Logger;

    private IReadOnlyCollection<string> HandledMessageTypes => handlers.MessageTypes;

    private Task<TaskResult> HandleAsync(TaskContext context, CancellationToken cancellationToken) =>
        handlers.HandleAsync(context, cancellationToken);

    private Task OnJobAlreadyEndedAsync(TaskContext context, JobRecord job, CancellationToken cancellationToken) =>
        handlers.JobAlreadyEndedAsync(context, job, cancellationToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var drain = stoppingToken.Register(() =>
        {
            services.Metrics.BeginDraining();
            _work.CancelAfter(services.Runtime.ShutdownGracePeriod);
        });

        await EnsureTopologyAsync(stoppingToken);
        using var cancellations = ListenForCancellationsAsync(stoppingToken);
        LogConsuming(Identity.AgentType.ToString(), Identity.InstanceId);
        var slots = new SemaphoreSlim(Math.Max(1, services.Runtime.MaxConcurrentTasks));
        var inFlight = new ConcurrentDictionary<Task, byte>();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var deliveries = services.Consumer.ConsumeAsync(Identity.AgentType, stoppingToken).GetAsyncEnumerator(stoppingToken);
                while (true)
                {
                    // A free slot first, then the next task: a task is never held un-started while the slots are busy.
                    await slots.WaitAsync(stoppingToken);
                    if (!await deliveries.MoveNextAsync())
                    {
                        slots.Release();
                        break;
                    }

                    var delivery = deliveries.Current;
                    var processing = Task.Run(() => ProcessAsync(delivery), CancellationToken.None);
                    inFlight[processing] = 0;
                    _ = processing.ContinueWith(done =>
                    {
                        inFlight.TryRemove(done, out _);
                        slots.Release();
                    }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex) when (ex is NatsException or TimeoutException)
            {
                LogConsumeInterrupted(ex.Message);
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }

        // Running tasks finish (or are handed back at the end of the grace period) before the agent stops.
        await Task.WhenAll(inFlight.Keys);
    }

    public override void Dispose()
    {
        _work.Dispose();
        base.Dispose();
        GC.SuppressFinalize(this);
    }

    private async Task EnsureTopologyAsync(CancellationToken stoppingToken)
    {
        var delay = TimeSpan.FromMilliseconds(200);
        while (true)
        {
            try
            {
                await services.Topology.EnsureAsync([Identity.AgentType], stoppingToken);
                return;
            }
            catch (Exception ex) when (ex is NatsException or TimeoutException && !stoppingToken.IsCancellationRequested)
            {
                LogTopologyNotReady(ex.Message);
                await Task.Delay(delay, stoppingToken);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
            }
        }
    }

    private Task ListenForCancellationsAsync(CancellationToken stoppingToken) => Task.Run(async () =>
    {
        try
        {
            await foreach (var message in services.Nats.SubscribeAsync<byte[]>(Subjects.JobCancelAll, cancellationToken: stoppingToken))
            {
                var jobId = message.Subject[(message.Subject.LastIndexOf('.') + 1)..];
                if (_runningByJob.TryGetValue(jobId, out var running))
                {
                    LogCancelling(jobId);
                    await running.CancelAsync();
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }, CancellationToken.None);

    private async Task ProcessAsync(TaskDelivery delivery)
    {
        // Bookkeeping after a cancelled handler must still reach NATS and PostgreSQL.
        using var bookkeeping = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var ct = bookkeeping.Token;
        try
        {
            if (delivery.Violation is { } violation || delivery.Envelope is null)
            {
                await RejectPoisonAsync(delivery, delivery.Violation?.Message ?? "no envelope", ct);
                return;
            }

            var envelope = delivery.Envelope;
            // One span per delivery, in the job's trace: under the publisher's span when the message carries one of
            // the job's trace, else under the job's root (see TraceHeaders).
            using var activity = MultiAgentTelemetry.Source.StartActivity(
                $"task {envelope.Type}", ActivityKind.Consumer, TraceHeaders.ParentFor(envelope.CorrelationId, delivery.TraceParent));
            activity?.SetTag("multiagent.job_id", envelope.CorrelationId);
            activity?.SetTag("multiagent.task_id", envelope.Id);
            activity?.SetTag("multiagent.message_type", envelope.Type);
            activity?.SetTag("multiagent.agent_instance", Identity.InstanceId);
            activity?.SetTag("messaging.message.delivery_count", (long)delivery.NumDelivered);
            if (!HandledMessageTypes.Contains(envelope.Type))
            {
                await FailAsync(delivery, envelope, AgentTaskStatus.Failed,
                    $"the {Identity.AgentType} agent does not handle '{envelope.Type}' messages", deadLetter: true, ct);
                return;
            }

            if (delivery.NumDelivered > (ulong)services.TaskBus.MaxDeliveries)
            {
                await DeadLetterAsync(delivery, envelope,
                    $"delivered {delivery.NumDelivered} times without finishing (MaxDeliveries is {services.TaskBus.MaxDeliveries})", ct);
                return;
            }

            using var lease = TaskLease.For(services.Tasks, envelope.Id, Identity.InstanceId, services.TaskBus, Logger);
            var claiming = Stopwatch.StartNew();
            var claim = await services.Tasks.BeginAttemptAsync(StartOf(envelope, lease.Holder), ct);
            claiming.Stop();
            switch (claim.Outcome)
            {
                case TaskClaimOutcome.Ended:
                    await FinishDuplicateAsync(delivery, claim.Task, ct);
                    return;
                case TaskClaimOutcome.HeldElsewhere:
                    await StepAsideAsync(delivery, claim, ct);
                    return;
            }

            // Attempts count the deliveries that reached the task store and ran (a step-aside is not one), so neither a
            // redelivery while the store was unreachable nor nats-server 2.9's restarted delivery counts burn attempts.
            var attempt = claim.Task.Attempts;
            if (attempt > services.TaskBus.MaxAttempts)
            {
                await DeadLetterAsync(delivery, envelope, $"gave up after {services.TaskBus.MaxAttempts} attempts", ct);
                return;
            }

            // The claim read the job's status: a task of a job that has ended is not run.
            if (claim.JobStatus?.IsTerminal() == true &&
                await services.Jobs.GetAsync(envelope.CorrelationId, ct) is { } job && job.Status.IsTerminal())
            {
                await OnJobAlreadyEndedAsync(new TaskContext(envelope, attempt, IsLastAttempt: true), job, ct);
                await services.Tasks.FailAsync(envelope.Id, AgentTaskStatus.Cancelled, $"job is already {job.Status}", ct);
                await delivery.AckAsync(ct);
                return;
            }

            // The claim may be old by now: a database slow to answer (as after an outage) can hold this delivery for
            // longer than the lease, and another delivery may have taken the task over meanwhile. Unless the claim
            // answered within half the lease (which was timed from after the call began, so at least half of it is
            // left), run only while this one still holds it (the check renews it); the other delivery finishes and
            // acknowledges the task.
            if (claiming.Elapsed >= lease.Duration / 2 && !await lease.StillHeldAsync(ct))
            {
                LogTakenOver(envelope.Id, lease.Holder);
                return;
            }

            await RunAsync(delivery, envelope, attempt, lease, ct);
        }
        catch (PostgresException ex) when (ex.SqlState.StartsWith("22", StringComparison.Ordinal))
        {
            // A data exception: PostgreSQL cannot hold what the message carries (a NUL character in a JSON string, say).
            // Every redelivery would fail the same way, so the message is poison.
            await RejectPoisonQuietlyAsync(delivery, $"PostgreSQL refused what the task carries or produced: {ex.MessageText}", ct);
        }
        catch (Exception ex)
        {
            // The outcome could not be stored, sent on or acknowledged: leave the message un-acked. JetStream redelivers
            // it, and the attempt bound dead-letters it if this keeps happening. The loop itself goes on.
            LogBookkeepingFailed(delivery.Envelope?.Id ?? "?", ex.Message);
        }
    }

    private async Task RejectPoisonQuietlyAsync(TaskDelivery delivery, string reason, CancellationToken ct)
    {
        try
        {
            await RejectPoisonAsync(delivery, reason, ct);
        }
        catch (Exception ex)
        {
            LogBookkeepingFailed(delivery.Envelope?.Id ?? "?", ex.Message);
        }
    }

    private async Task RunAsync(TaskDelivery delivery, TaskEnvelope envelope, int attempt, TaskLease lease, CancellationToken ct)
    {
        var context = new TaskContext(envelope, attempt, attempt >= services.TaskBus.MaxAttempts);
        using var jobCancelled = new CancellationTokenSource();
        using var timeout = new CancellationTokenSource(services.Runtime.TaskTimeout);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(_work.Token, jobCancelled.Token, timeout.Token, lease.Lost);
        _runningByJob[envelope.CorrelationId] = jobCancelled;
        services.Metrics.TaskStarted();
        var clock = Stopwatch.StartNew();
        var work = TaskWorkClock.Start(Activity.Current);
        var inProgress = lease.KeepAliveAsync(delivery, linked.Token);
        LogStarted(envelope.Id, envelope.Type, envelope.CorrelationId, attempt);
        Activity.Current?.SetTag("multiagent.attempt", attempt);
        try
        {
            // Which instance runs it (several may share an agent type's queue, on several hosts), and where to find the
            // task in the traces: its trace (the job's) and its own span.
            var started = new Dictionary<string, string> { ["instanceId"] = Identity.InstanceId };
            if (Activity.Current is { } span)
            {
                started["traceId"] = span.TraceId.ToHexString();
                started["spanId"] = span.SpanId.ToHexString();
                started["parentSpanId"] = span.ParentSpanId.ToHexString();
            }

            await services.Timeline.RecordAsync(envelope.CorrelationId, JobEventTypes.TaskStarted,
                $"{Identity.AgentType} started {envelope.Type} (attempt {attempt})", envelope.Id, Identity.AgentType,
                JsonSerializer.SerializeToElement(started), ct);
        }
        catch
        {
            // Not started after all (the task is left for redelivery): the lease's renewals end with this delivery.
            await linked.CancelAsync();
            await inProgress;
            throw;
        }

        try
        {
            var result = await HandleAsync(context, linked.Token);
            await linked.CancelAsync();
            await inProgress;
            await CompleteAsync(delivery, envelope, result, clock.Elapsed, work?.Read(clock.Elapsed), ct);
            services.Metrics.TaskFinished(clock.Elapsed, succeeded: true, "completed");
        }
        catch (Exception ex)
        {
            await linked.CancelAsync();
            await inProgress;
            // Whatever the handler threw once its lease was lost or the agent's grace period ran out is that cancellation's
            // doing: a cancellation, or the error of what it closed under the handler (as for a stopped job, below).
            if (lease.IsLost)
            {
                // Another delivery runs the task now and will acknowledge it: touch neither the delivery nor the row.
                services.Metrics.TaskReturned();
                return;
            }

            if (_work.IsCancellationRequested)
            {
                services.Metrics.TaskReturned();
                LogHandedBack(envelope.Id);
                await lease.ReleaseAsync(ct);
                await delivery.NakAsync(TimeSpan.Zero, ct);
                return;
            }

            services.Metrics.TaskFinished(clock.Elapsed, succeeded: false, "failed");
            // The job was stopped: whatever the handler threw then is the stop's doing, a cancellation or the error of
            // what it closed under the handler (a model call's stream, a process's pipe).
            if (jobCancelled.IsCancellationRequested)
            {
                await services.Tasks.FailAsync(envelope.Id, AgentTaskStatus.Cancelled, "the job was stopped", ct);
                await delivery.AckAsync(ct);
                return;
            }

            var (kind, reason) = ex is OperationCanceledException && timeout.IsCancellationRequested
                ? (FailureKind.Retryable, $"timed out after {services.Runtime.TaskTimeout.TotalSeconds:0}s")
                : (FailureClassifier.Classify(ex), ex.Message);
            await HandleFailureAsync(delivery, envelope, context, lease, kind, reason, (ex as IClassifiedFailure)?.RetryAfter, ct);
        }
        finally
        {
            _runningByJob.TryRemove(new KeyValuePair<string, CancellationTokenSource>(envelope.CorrelationId, jobCancelled));
        }
    }

    private async Task HandleFailureAsync(
        TaskDelivery delivery, TaskEnvelope envelope, TaskContext context, TaskLease lease, FailureKind kind, string reason,
        TimeSpan? retryAfter, CancellationToken ct)
    {
        // The attempt's model calls were paid for whatever becomes of the task: they count towards the task and the job
        // (and so towards the job's budget).
        if (context.Spent.Total is { Total: > 0 } spent)
        {
            await services.Tasks.AddUsageAsync(envelope.Id, envelope.CorrelationId, spent, ct);
        }

        if (kind == FailureKind.Retryable && !context.IsLastAttempt)
        {
            var delay = services.TaskBus.GetRetryDelay((ulong)context.Attempt);
            if (retryAfter > delay)
            {
                delay = retryAfter.Value;
            }

            LogRetrying(envelope.Id, context.Attempt, delay.TotalSeconds, reason);
            await services.Timeline.RecordAsync(envelope.CorrelationId, JobEventTypes.TaskFailed,
                $"{Identity.AgentType} attempt {context.Attempt} failed, retrying in {delay.TotalSeconds:0}s: {reason}",
                envelope.Id, Identity.AgentType, cancellationToken: ct);
            await lease.ReleaseAsync(ct);
            await delivery.NakAsync(delay, ct);
            return;
        }

        var why = kind == FailureKind.Retryable
            ? $"gave up after {context.Attempt} attempts: {reason}"
            : reason;
        await FailAsync(delivery, envelope, kind == FailureKind.Retryable ? AgentTaskStatus.DeadLettered : AgentTaskStatus.Failed,
            why, deadLetter: kind == FailureKind.Retryable, ct);
    }

    private async Task CompleteAsync(
        TaskDelivery delivery, TaskEnvelope envelope, TaskResult result, TimeSpan duration, WorkTimes? work, CancellationToken ct)
    {
        var followUps = result.FollowUps
            .Select((message, index) => message with { Id = TaskContext.FollowUpId(envelope.Id, index) })
            .ToList();
        var outcome = new StoredOutcome(result.Summary, followUps);
        // The outcome, the job's tokens and the timeline entry are stored together, before anything is sent on: if
        // NATS is away now, the redelivery sends the follow-ups from the stored outcome (FinishDuplicateAsync) and the
        // event relay publishes the entry.
        var completed = await services.Tasks.CompleteAsync(envelope.Id, outcome.ToJson(), result.TokenUsage, duration,
            envelope.CorrelationId,
            new NewJobEvent(JobEventTypes.TaskCompleted, $"{Identity.AgentType} finished {envelope.Type}: {result.Summary}",
                // Where the task's time went (the model, tools, the check, git; the rest is the system's own).
                Data: work is null ? null : JsonSerializer.SerializeToElement(new Dictionary<string, WorkTimes> { ["work"] = work }),
                TaskId: envelope.Id, AgentType: Identity.AgentType),
            ct);
        // The follow-ups first: they carry the job on, and the event's publication (one more database write) need not
        // stand between this task's end and the next task's start.
        await PublishFollowUpsAsync(followUps, ct);
        await services.Timeline.PublishAsync(completed is null ? [] : [completed], ct);
        await delivery.AckAsync(ct);
        LogCompleted(envelope.Id, duration.TotalMilliseconds);
    }

    /// <summary>A delivery of a task that already ended: re-send what it produced (if it completed), then ack.</summary>
    private async Task FinishDuplicateAsync(TaskDelivery delivery, TaskRecord record, CancellationToken ct)
    {
        if (record.Status == AgentTaskStatus.Completed && StoredOutcome.FromJson(record.Outcome) is { } outcome)
        {
            await PublishFollowUpsAsync(outcome.FollowUps, ct);
        }

        LogDuplicate(record.Id, record.Status.ToString());
        await delivery.AckAsync(ct);
    }

    /// <summary>
    /// A delivery of a task that another delivery is running (its lease holds): JetStream handed the task out again
    /// although it is not lost. This one does not run it and hands the message back for when the lease could have run
    /// out; while the holder runs, its in-progress acknowledgements keep the message from coming back, and once it
    /// acknowledges, the message is gone. If the holder died, the delivery after this one takes the task over.
    /// </summary>
    private async Task StepAsideAsync(TaskDelivery delivery, TaskClaim claim, CancellationToken ct)
    {
        // Never longer than a lease of this instance can last: a lease set far ahead (another setting, a clock ahead)
        // must not park the task for hours.
        var delay = TimeSpan.FromTicks(Math.Clamp(claim.LeaseRemaining.Ticks, MinStepAside.Ticks,
            Math.Max(MinStepAside.Ticks, TaskLease.DurationFor(services.TaskBus).Ticks)));
        LogSteppingAside(claim.Task.Id, claim.Task.LeaseHolder ?? "?", delay.TotalSeconds);
        await delivery.NakAsync(delay, ct);
    }

    private async Task PublishFollowUpsAsync(IEnumerable<TaskEnvelope> followUps, CancellationToken ct)
    {
        foreach (var followUp in followUps)
        {
            await services.Publisher.PublishAsync(followUp, ct);
        }
    }

    private async Task RejectPoisonAsync(TaskDelivery delivery, string reason, CancellationToken ct)
    {
        var jobId = delivery.Envelope?.CorrelationId ?? TryReadString(delivery.RawData, "correlationId");
        var taskId = delivery.Envelope?.Id ?? TryReadString(delivery.RawData, "id");
        LogPoison(delivery.Subject, taskId ?? "?", reason);
        await services.DeadLetters.PublishAsync(Identity.AgentType, delivery.RawData, reason, taskId, jobId, ct);
        if (jobId is not null && Subjects.IsValidToken(jobId))
        {
            await FailJobAsync(jobId, taskId, $"a {Identity.AgentType} task was rejected: {reason}", ct);
        }

        await delivery.TermAsync(ct);
    }

    private Task DeadLetterAsync(TaskDelivery delivery, TaskEnvelope envelope, string reason, CancellationToken ct) =>
        FailAsync(delivery, envelope, AgentTaskStatus.DeadLettered, reason, deadLetter: true, ct);

    private async Task FailAsync(
        TaskDelivery delivery, TaskEnvelope envelope, AgentTaskStatus status, string reason, bool deadLetter, CancellationToken ct)
    {
        LogFailed(envelope.Id, envelope.CorrelationId, status.ToString(), reason);
        // A task rejected before it ran has no row yet; give it one so its failure is on record.
        if (await services.Tasks.GetAsync(envelope.Id, ct) is null)
        {
            await services.Tasks.BeginAttemptAsync(StartOf(envelope, TaskLease.NewHolder(Identity.InstanceId)), ct);
        }

        await services.Tasks.FailAsync(envelope.Id, status, reason, ct);
        if (deadLetter)
        {
            await services.DeadLetters.PublishAsync(Identity.AgentType, delivery.RawData, reason, envelope.Id, envelope.CorrelationId, ct);
            await services.Timeline.RecordAsync(envelope.CorrelationId, JobEventTypes.TaskDeadLettered,
                $"{Identity.AgentType} task dead-lettered: {reason}", envelope.Id, Identity.AgentType, cancellationToken: ct);
        }

        await FailJobAsync(envelope.CorrelationId, envelope.Id, $"{Identity.AgentType} task failed: {reason}", ct);
        await delivery.TermAsync(ct);
    }

    private async Task FailJobAsync(string jobId, string? taskId, string reason, CancellationToken ct)
    {
        await services.Timeline.TransitionAsync(jobId, JobStatus.Failed, new JobChanges { Error = reason },
            [new NewJobEvent(JobEventTypes.JobFailed, reason)], taskId, Identity.AgentType, ct);
    }

    private TaskStart StartOf(TaskEnvelope envelope, string leaseHolder) => new()
    {
        TaskId = envelope.Id,
        JobId = envelope.CorrelationId,
        AgentType = Identity.AgentType,
        MessageType = envelope.Type,
        Payload = envelope.Payload,
        LeaseHolder = leaseHolder,
        LeaseDuration = TaskLease.DurationFor(services.TaskBus),
    };

    private static string? TryReadString(ReadOnlyMemory<byte> raw, string property)
    {
        try
        {
            using var document = JsonDocument.Parse(raw);
            return document.RootElement.ValueKind == JsonValueKind.Object &&
                   document.RootElement.TryGetProperty(property, out var value) &&
                   value.ValueKind == JsonValueKind.String
                ? value.GetString()
                : null;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            // Not JSON, or a string that is not valid UTF-8.
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{AgentType} instance {InstanceId} is taking tasks")]
    private partial void LogConsuming(string agentType, string instanceId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Task stream not ready yet: {Reason}")]
    private partial void LogTopologyNotReady(string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Consuming interrupted, resuming: {Reason}")]
    private partial void LogConsumeInterrupted(string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Task {TaskId} ({Type}) of job {JobId} started, attempt {Attempt}")]
    private partial void LogStarted(string taskId, string type, string jobId, int attempt);

    [LoggerMessage(Level = LogLevel.Information, Message = "Task {TaskId} completed in {DurationMs:0} ms")]
    private partial void LogCompleted(string taskId, double durationMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Task {TaskId}: another delivery took it over while {Holder} was getting ready to run it; leaving it to that one")]
    private partial void LogTakenOver(string taskId, string holder);

    [LoggerMessage(Level = LogLevel.Information, Message = "Task {TaskId} was already {Status}; not run again")]
    private partial void LogDuplicate(string taskId, string status);

    [LoggerMessage(Level = LogLevel.Information, Message = "Task {TaskId} is being run by {Holder}; this delivery steps aside and comes back in {DelaySeconds:0.#}s")]
    private partial void LogSteppingAside(string taskId, string holder, double delaySeconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Task {TaskId} attempt {Attempt} failed, retrying in {DelaySeconds}s: {Reason}")]
    private partial void LogRetrying(string taskId, int attempt, double delaySeconds, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Task {TaskId} of job {JobId} ended {Status}: {Reason}")]
    private partial void LogFailed(string taskId, string jobId, string status, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Rejected a message on {Subject} (task {TaskId}): {Reason}")]
    private partial void LogPoison(string subject, string taskId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Shutting down: task {TaskId} handed back for another instance")]
    private partial void LogHandedBack(string taskId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId} was stopped: cancelling its running task")]
    private partial void LogCancelling(string jobId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Task {TaskId}: outcome not stored or acknowledged, left for redelivery: {Reason}")]
    private partial void LogBookkeepingFailed(string taskId, string reason);
}
