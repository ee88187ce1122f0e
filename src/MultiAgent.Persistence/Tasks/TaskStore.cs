using System.Text.Json;
using MultiAgent.Contracts;
using MultiAgent.Persistence.Internal;
using Npgsql;

namespace MultiAgent.Persistence;

/// <summary>
/// Tasks in PostgreSQL (<c>tasks</c>): delivery attempts and exactly one stored outcome per task, so that a
/// redelivered message is neither worked on nor answered twice. Database errors surface as <see cref="NpgsqlException"/>.
/// </summary>
public sealed class TaskStore(NpgsqlDataSource dataSource, TimeProvider? timeProvider = null)
{
    private static readonly string InProgress = WireName<AgentTaskStatus>.Of(AgentTaskStatus.InProgress);
    private static readonly string Completed = WireName<AgentTaskStatus>.Of(AgentTaskStatus.Completed);

    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;

    /// <summary>
    /// Records the start of an attempt: a new task gets attempts = 1, a known task that is not terminal gets
    /// attempts + 1; either way it is IN_PROGRESS with <see cref="TaskRecord.StartedAt"/> = now. A terminal task
    /// (COMPLETED, FAILED, CANCELLED, DEAD_LETTERED) is left as it is and returned with its outcome: check
    /// <see cref="TaskRecord.IsTerminal"/> and do not run it again.
    /// </summary>
    /// <returns>The task after the change.</returns>
    public async Task<TaskRecord> BeginAttemptAsync(TaskStart start, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(start);
        ArgumentException.ThrowIfNullOrWhiteSpace(start.TaskId, nameof(start));
        ArgumentException.ThrowIfNullOrWhiteSpace(start.JobId, nameof(start));
        ArgumentException.ThrowIfNullOrWhiteSpace(start.MessageType, nameof(start));

        await using (var upsert = dataSource.CreateCommand(
            $"""
            INSERT INTO tasks AS t (id, job_id, agent_type, message_type, status, attempts, payload, created_at, started_at, updated_at)
            VALUES (@id, @job_id, @agent_type, @message_type, @in_progress, 1, @payload, @now, @now, @now)
            ON CONFLICT (id) DO UPDATE SET
                status = EXCLUDED.status,
                attempts = t.attempts + 1,
                payload = COALESCE(t.payload, EXCLUDED.payload),
                started_at = EXCLUDED.started_at,
                updated_at = EXCLUDED.updated_at
            WHERE t.status <> ALL(@terminal)
            RETURNING {TaskRow.Columns}
            """))
        {
            upsert.Parameters.AddAll(
            [
                Db.Text("id", start.TaskId),
                Db.Text("job_id", start.JobId),
                Db.Text("agent_type", WireName<AgentType>.Of(start.AgentType)),
                Db.Text("message_type", start.MessageType),
                Db.Text("in_progress", InProgress),
                Db.Jsonb("payload", start.Payload),
                Db.Timestamp("now", _time.UtcNow()),
                Db.TextArray("terminal", StatusExtensions.TerminalTaskStatuses),
            ]);
            var changed = await TaskRow.ReadAllAsync(upsert, cancellationToken);
            if (changed.Count == 1)
            {
                return changed[0];
            }
        }

        // The task exists and is terminal (tasks are never deleted, and terminal tasks never reopen).
        return await GetAsync(start.TaskId, cancellationToken)
            ?? throw new InvalidOperationException($"Task {start.TaskId} conflicted on insert but cannot be read.");
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
        ArgumentException.ThrowIfNullOrWhiteSpace(taskId);
        if (outcome.ValueKind == JsonValueKind.Undefined)
        {
            throw new ArgumentException("The outcome is an undefined JSON element.", nameof(outcome));
        }

        ArgumentNullException.ThrowIfNull(usage);
        if (usage.InputTokens < 0 || usage.OutputTokens < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(usage), usage, "Token counts must not be negative.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(duration, TimeSpan.Zero);

        var now = _time.UtcNow();
        await using var command = dataSource.CreateCommand(
            """
            UPDATE tasks SET
                status = @completed,
                outcome = @outcome,
                error = NULL,
                input_tokens = input_tokens + @input_tokens,
                output_tokens = output_tokens + @output_tokens,
                duration_ms = @duration_ms,
                completed_at = @now,
                updated_at = @now
            WHERE id = @id AND status <> @completed
            """);
        command.Parameters.AddAll(
        [
            Db.Text("id", taskId),
            Db.Text("completed", Completed),
            Db.Jsonb("outcome", outcome),
            Db.Bigint("input_tokens", usage.InputTokens),
            Db.Bigint("output_tokens", usage.OutputTokens),
            Db.Bigint("duration_ms", (long)Math.Round(duration.TotalMilliseconds)),
            Db.Timestamp("now", now),
        ]);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
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
            UPDATE tasks SET status = @status, error = @error, completed_at = @now, updated_at = @now
            WHERE id = @id AND status <> @completed
            """);
        command.Parameters.AddAll(
        [
            Db.Text("id", taskId),
            Db.Text("status", WireName<AgentTaskStatus>.Of(status)),
            Db.Text("error", error),
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
