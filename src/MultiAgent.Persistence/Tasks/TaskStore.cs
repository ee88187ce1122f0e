using System.Text.Json;
using MultiAgent.Contracts;
using MultiAgent.Persistence.Internal;
using MultiAgent.Persistence.Sql;
using MultiAgent.Secrets;
using Npgsql;

namespace MultiAgent.Persistence;

/// <summary>
/// Tasks in PostgreSQL (<c>tasks</c>): delivery attempts, a lease on the task while a delivery runs it, and exactly one
/// stored outcome per task, so that a redelivered message is neither worked on twice at once, nor again once it ended,
/// nor answered twice. The payload, outcome and error pass through the <see cref="SecretRedactor"/> before they are
/// stored (credential shapes only when none is given). Database errors surface as <see cref="NpgsqlException"/>.
/// </summary>
public sealed class TaskStore(NpgsqlDataSource dataSource, TimeProvider? timeProvider = null, SecretRedactor? redactor = null)
{
    private static readonly string InProgress = WireName<AgentTaskStatus>.Of(AgentTaskStatus.InProgress);
    private static readonly string Completed = WireName<AgentTaskStatus>.Of(AgentTaskStatus.Completed);

    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;
    private readonly SecretRedactor _redactor = redactor ?? new SecretRedactor();
    private readonly EventLog _eventLog = new(dataSource, timeProvider, redactor);

    /// <summary>
    /// Claims the task for one delivery and records the start of an attempt, unless the task ended or another delivery
    /// is running it. A new task gets attempts = 1, a known task that is not terminal gets attempts + 1; either way it
    /// is IN_PROGRESS with <see cref="TaskRecord.StartedAt"/> = now and the lease is <paramref name="start"/>'s holder's
    /// until now + <see cref="TaskStart.LeaseDuration"/> (<see cref="TaskClaimOutcome.Started"/>). A terminal task
    /// (COMPLETED, FAILED, CANCELLED, DEAD_LETTERED) is left as it is and returned with its outcome
    /// (<see cref="TaskClaimOutcome.Ended"/>). A task whose lease another holder still has is left as it is, its
    /// attempts not counted (<see cref="TaskClaimOutcome.HeldElsewhere"/>); an expired lease is taken over.
    /// </summary>
    public async Task<TaskClaim> BeginAttemptAsync(TaskStart start, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(start);
        ArgumentException.ThrowIfNullOrWhiteSpace(start.TaskId, nameof(start));
        ArgumentException.ThrowIfNullOrWhiteSpace(start.JobId, nameof(start));
        ArgumentException.ThrowIfNullOrWhiteSpace(start.MessageType, nameof(start));
        ArgumentException.ThrowIfNullOrWhiteSpace(start.LeaseHolder, nameof(start));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(start.LeaseDuration, TimeSpan.Zero, nameof(start));

        // The connection first, then the clock: a connection can take seconds to open (a database coming back from an
        // outage, a proxy holding the attempt), and a lease timed from before that wait would already have run out
        // when it is written, letting a second delivery take the task while this one runs it.
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var now = _time.UtcNow();
        await using (var upsert = new NpgsqlCommand(
            $"""
            INSERT INTO tasks AS t (id, job_id, agent_type, message_type, status, attempts, payload, created_at, started_at,
                                    lease_holder, lease_expires_at, updated_at)
            VALUES (@id, @job_id, @agent_type, @message_type, @in_progress, 1, @payload, @now, @now, @holder, @until, @now)
            ON CONFLICT (id) DO UPDATE SET
                status = EXCLUDED.status,
                attempts = t.attempts + 1,
                payload = COALESCE(t.payload, EXCLUDED.payload),
                started_at = EXCLUDED.started_at,
                lease_holder = EXCLUDED.lease_holder,
                lease_expires_at = EXCLUDED.lease_expires_at,
                updated_at = EXCLUDED.updated_at
            WHERE t.status <> ALL(@terminal) AND (t.lease_holder IS NULL OR t.lease_expires_at <= @now)
            RETURNING {TaskRow.Columns}, (SELECT j.status FROM jobs j WHERE j.id = t.job_id) AS job_status
            """, connection))
        {
            upsert.Parameters.AddAll(
            [
                Db.Text("id", start.TaskId),
                Db.Text("job_id", start.JobId),
                Db.Text("agent_type", WireName<AgentType>.Of(start.AgentType)),
                Db.Text("message_type", start.MessageType),
                Db.Text("in_progress", InProgress),
                Db.Jsonb("payload", start.Payload is { } payload ? _redactor.Redact(payload) : null),
                Db.Timestamp("now", now),
                Db.Text("holder", start.LeaseHolder),
                Db.Timestamp("until", now + start.LeaseDuration),
                Db.TextArray("terminal", StatusExtensions.TerminalTaskStatuses),
            ]);
            // The job's status comes with the claim: the caller runs no task of a job that has ended.
            await using var reader = await upsert.ExecuteReaderAsync(cancellationToken);
            if (await reader.ReadAsync(cancellationToken))
            {
                var jobStatus = reader.GetNullableString("job_status") is { } status ? WireName<JobStatus>.Parse(status) : (JobStatus?)null;
                return new TaskClaim(TaskClaimOutcome.Started, TaskRow.Read(reader), TimeSpan.Zero, jobStatus);
            }
        }

        // The task exists and is terminal (tasks are never deleted, and terminal tasks never reopen), or leased.
        var task = await GetAsync(start.TaskId, cancellationToken)
            ?? throw new InvalidOperationException($"Task {start.TaskId} conflicted on insert but cannot be read.");
        if (task.IsTerminal)
        {
            return new TaskClaim(TaskClaimOutcome.Ended, task, TimeSpan.Zero);
        }

        var remaining = task.LeaseExpiresAt is { } until && until > now ? until - now : TimeSpan.Zero;
        return new TaskClaim(TaskClaimOutcome.HeldElsewhere, task, remaining);
    }

    /// <summary>
    /// Extends the lease of <paramref name="holder"/> to now + <paramref name="duration"/>, if it still holds it: the
    /// task is IN_PROGRESS and no other delivery took it over. A lease that ran out but was not taken over is renewed.
    /// </summary>
    /// <returns>Whether the holder still holds the lease; false means stop working on the task.</returns>
    public async Task<bool> RenewLeaseAsync(
        string taskId, string holder, TimeSpan duration, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(taskId);
        ArgumentException.ThrowIfNullOrWhiteSpace(holder);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(duration, TimeSpan.Zero);

        // The connection first, then the clock (as in BeginAttemptAsync): the renewal counts from when it is written.
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            "UPDATE tasks SET lease_expires_at = @until WHERE id = @id AND lease_holder = @holder AND status = @in_progress", connection);
        command.Parameters.AddAll(
        [
            Db.Text("id", taskId),
            Db.Text("holder", holder),
            Db.Text("in_progress", InProgress),
            Db.Timestamp("until", _time.UtcNow() + duration),
        ]);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    /// <summary>
    /// Gives the lease up without ending the task (it was handed back, or waits for a retry), so that the next delivery
    /// can start at once. Does nothing unless <paramref name="holder"/> holds it.
    /// </summary>
    /// <returns>Whether the holder had the lease.</returns>
    public async Task<bool> ReleaseLeaseAsync(string taskId, string holder, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(taskId);
        ArgumentException.ThrowIfNullOrWhiteSpace(holder);

        await using var command = dataSource.CreateCommand(
            "UPDATE tasks SET lease_holder = NULL, lease_expires_at = NULL WHERE id = @id AND lease_holder = @holder");
        command.Parameters.AddAll([Db.Text("id", taskId), Db.Text("holder", holder)]);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    /// <summary>The task, or null if there is none with that id.</summary>
    public async Task<TaskRecord?> GetAsync(string taskId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(taskId);
        await using var command = dataSource.CreateCommand($"SELECT {TaskRow.Columns} FROM tasks WHERE id = @id");
        command.Parameters.Add(Db.Text("id", taskId));
        var tasks = await TaskRow.ReadAllAsync(command, cancellationToken);
        return tasks.Count == 0 ? null : tasks[0];
    }

    /// <summary>
    /// Stores the task's outcome and marks it COMPLETED, unless it is COMPLETED already (a late success does
    /// replace a recorded failure). <paramref name="usage"/> is added to the task's token counters.
    /// </summary>
    /// <returns>
    /// True only for the call that stored the outcome; false when another call did (or the task was never begun).
    /// Publish the result only when true.
    /// </returns>
    public async Task<bool> CompleteAsync(
        string taskId, JsonElement outcome, TokenUsage usage, TimeSpan duration, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(CompleteStatement);
        command.Parameters.AddAll(CompleteParameters(taskId, outcome, usage, duration, _time.UtcNow()));
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    /// <summary>
    /// Completes the task like <see cref="CompleteAsync(string, JsonElement, TokenUsage, TimeSpan, CancellationToken)"/>
    /// and, in the same transaction when it completes now, adds <paramref name="usage"/> to job
    /// <paramref name="jobId"/>'s counters and appends <paramref name="entry"/> to its event log: the outcome, the job's
    /// tokens and the entry telling of it are stored together or not at all (a crash or a NATS outage right after
    /// cannot leave a completed task without its entry).
    /// </summary>
    /// <returns>The appended entry when this call completed the task; null when another call did (nothing else stored).</returns>
    public async Task<EventLogEntry?> CompleteAsync(
        string taskId, JsonElement outcome, TokenUsage usage, TimeSpan duration, string jobId, NewJobEvent entry,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(jobId);
        ArgumentNullException.ThrowIfNull(entry);
        var parameters = CompleteParameters(taskId, outcome, usage, duration, _time.UtcNow());
        var (appended, entryParameters) = _eventLog.NewRow(jobId, entry);
        // One statement, so one round trip to the server and its own transaction: this write stands between a task's end
        // and its follow-up's start. The job's counters and the entry are written only if the task completes now.
        await using var command = dataSource.CreateCommand(
            $"""
            WITH completed AS (
                {CompleteStatement}
                RETURNING id
            ), counted AS (
                UPDATE jobs SET {JobStore.UsageAssignments}
                WHERE id = @job_id AND EXISTS (SELECT FROM completed)
            )
            INSERT INTO job_events ({EventLog.InsertColumns})
            SELECT {EventLog.InsertValues} WHERE EXISTS (SELECT FROM completed)
            RETURNING id
            """);
        command.Parameters.AddAll(parameters);
        command.Parameters.AddAll(entryParameters);
        var id = await command.ExecuteScalarAsync(cancellationToken);
        return id is long stored ? appended with { Id = stored } : null;
    }

    /// <summary>
    /// Marks a task COMPLETED with its outcome, unless it is already, adding the usage to its counters
    /// (<see cref="CompleteParameters"/>).
    /// </summary>
    private const string CompleteStatement = $"""
        UPDATE tasks SET
            status = @completed,
            outcome = @outcome,
            error = NULL,
            {JobStore.UsageAssignments},
            duration_ms = @duration_ms,
            completed_at = @now,
            lease_holder = NULL,
            lease_expires_at = NULL
        WHERE id = @id AND status <> @completed
        """;

    private NpgsqlParameter[] CompleteParameters(string taskId, JsonElement outcome, TokenUsage usage, TimeSpan duration, DateTimeOffset now)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(taskId);
        if (outcome.ValueKind == JsonValueKind.Undefined)
        {
            throw new ArgumentException("The outcome is an undefined JSON element.", nameof(outcome));
        }

        JobStore.ValidateUsage(usage);
        ArgumentOutOfRangeException.ThrowIfLessThan(duration, TimeSpan.Zero);
        return
        [
            Db.Text("id", taskId),
            Db.Text("completed", Completed),
            Db.Jsonb("outcome", _redactor.Redact(outcome)),
            Db.Bigint("duration_ms", (long)Math.Round(duration.TotalMilliseconds)),
            .. JobStore.UsageParameters(usage, now),
        ];
    }

    /// <summary>
    /// Adds <paramref name="usage"/> to task <paramref name="taskId"/>'s and job <paramref name="jobId"/>'s counters in
    /// one transaction: the model usage of an attempt that failed (its tokens were paid for all the same).
    /// </summary>
    public async Task AddUsageAsync(string taskId, string jobId, TokenUsage usage, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(taskId);
        ArgumentException.ThrowIfNullOrWhiteSpace(jobId);
        JobStore.ValidateUsage(usage);
        var now = _time.UtcNow();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var task = JobStore.UsageCommand("tasks", connection, transaction, taskId, usage, now))
        {
            await task.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var job = JobStore.TokenUsageCommand(connection, transaction, jobId, usage, now))
        {
            await job.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>
    /// Records that the task ended without success: <paramref name="status"/> is FAILED, DEAD_LETTERED or CANCELLED.
    /// A COMPLETED task is left alone.
    /// </summary>
    /// <returns>Whether the task was changed (false when COMPLETED or unknown).</returns>
    public async Task<bool> FailAsync(
        string taskId, AgentTaskStatus status, string error, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(taskId);
        if (status is not (AgentTaskStatus.Failed or AgentTaskStatus.DeadLettered or AgentTaskStatus.Cancelled))
        {
            throw new ArgumentOutOfRangeException(nameof(status), status, "A task can only fail as FAILED, DEAD_LETTERED or CANCELLED.");
        }

        ArgumentNullException.ThrowIfNull(error);

        var now = _time.UtcNow();
        await using var command = dataSource.CreateCommand(
            """
            UPDATE tasks SET status = @status, error = @error, completed_at = @now, lease_holder = NULL,
                             lease_expires_at = NULL, updated_at = @now
            WHERE id = @id AND status <> @completed
            """);
        command.Parameters.AddAll(
        [
            Db.Text("id", taskId),
            Db.Text("status", WireName<AgentTaskStatus>.Of(status)),
            Db.Text("error", _redactor.Redact(error)),
            Db.Text("completed", Completed),
            Db.Timestamp("now", now),
        ]);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    /// <summary>The job's tasks in the order they were first recorded.</summary>
    public async Task<IReadOnlyList<TaskRecord>> ListForJobAsync(string jobId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(jobId);
        await using var command = dataSource.CreateCommand(
            $"SELECT {TaskRow.Columns} FROM tasks WHERE job_id = @job_id ORDER BY created_at, id");
        command.Parameters.Add(Db.Text("job_id", jobId));
        return await TaskRow.ReadAllAsync(command, cancellationToken);
    }
}
