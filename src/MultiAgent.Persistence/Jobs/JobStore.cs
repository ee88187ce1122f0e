using System.Data;
using System.Text;
using MultiAgent.Contracts;
using MultiAgent.Persistence.Internal;
using MultiAgent.Persistence.Sql;
using MultiAgent.Secrets;
using Npgsql;

namespace MultiAgent.Persistence;

/// <summary>
/// Jobs in PostgreSQL (<c>jobs</c>). Once a job is COMPLETED, FAILED or CANCELLED its status never changes again.
/// Text a job carries (title, description, requirements, error) passes through the <see cref="SecretRedactor"/> before
/// it is stored (credential shapes only when none is given). Database errors surface as <see cref="NpgsqlException"/>.
/// </summary>
public sealed class JobStore(NpgsqlDataSource dataSource, TimeProvider? timeProvider = null, SecretRedactor? redactor = null)
{
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;
    private readonly SecretRedactor _redactor = redactor ?? new SecretRedactor();
    private readonly EventLog _eventLog = new(dataSource, timeProvider, redactor);

    /// <summary>
    /// Stores <paramref name="job"/> unless a job with its id exists (idempotent by id; the existing job is then
    /// returned unchanged). Timestamps come from the store's clock; the other fields are taken as given.
    /// </summary>
    public async Task<JobCreateResult> CreateAsync(JobRecord job, CancellationToken cancellationToken = default)
    {
        Validate(job);
        var now = _time.UtcNow();
        await using (var insert = dataSource.CreateCommand(
            $"""
            INSERT INTO jobs (id, repository, title, description, requirements, base_branch, status, priority, iteration,
                max_iterations, require_approval, pull_request_number, pull_request_url, branch, head_sha, merge_commit_sha,
                error, input_tokens, output_tokens, cost, budget_tokens, budget_cost, created_at, updated_at, completed_at)
            VALUES (@id, @repository, @title, @description, @requirements, @base_branch, @status, @priority, @iteration,
                @max_iterations, @require_approval, @pull_request_number, @pull_request_url, @branch, @head_sha,
                @merge_commit_sha, @error, @input_tokens, @output_tokens, @cost, @budget_tokens, @budget_cost, @now, @now, @completed_at)
            ON CONFLICT (id) DO NOTHING
            RETURNING {JobRow.Columns}
            """))
        {
            insert.Parameters.AddAll(
            [
                Db.Text("id", job.Id),
                Db.Text("repository", _redactor.Redact(job.Repository)),
                Db.Text("title", _redactor.Redact(job.Title)),
                Db.Text("description", _redactor.Redact(job.Description)),
                Db.Jsonb("requirements", JobRow.WriteRequirements([.. job.Requirements.Select(r => _redactor.Redact(r) ?? "")])),
                Db.Text("base_branch", job.BaseBranch),
                Db.Text("status", WireName<JobStatus>.Of(job.Status)),
                Db.Text("priority", WireName<TaskPriority>.Of(job.Priority)),
                Db.Integer("iteration", job.Iteration),
                Db.Integer("max_iterations", job.MaxIterations),
                Db.Boolean("require_approval", job.RequireApproval),
                Db.Integer("pull_request_number", job.PullRequestNumber),
                Db.Text("pull_request_url", job.PullRequestUrl),
                Db.Text("branch", job.Branch),
                Db.Text("head_sha", job.HeadSha),
                Db.Text("merge_commit_sha", job.MergeCommitSha),
                Db.Text("error", _redactor.Redact(job.Error)),
                Db.Bigint("input_tokens", job.Tokens.InputTokens),
                Db.Bigint("output_tokens", job.Tokens.OutputTokens),
                Db.Numeric("cost", job.Tokens.Cost),
                Db.Bigint("budget_tokens", job.Budget?.Tokens),
                Db.Numeric("budget_cost", job.Budget?.Cost),
                Db.Timestamp("now", now),
                Db.Timestamp("completed_at", job.Status.IsTerminal() ? now : null),
            ]);
            var inserted = await JobRow.ReadAllAsync(insert, cancellationToken);
            if (inserted.Count == 1)
            {
                return new JobCreateResult(inserted[0], Created: true);
            }
        }

        // Jobs are never deleted, so the row that won the conflict is there (a new statement sees it once committed).
        var existing = await GetAsync(job.Id, cancellationToken)
            ?? throw new InvalidOperationException($"Job {job.Id} conflicted on insert but cannot be read.");
        return new JobCreateResult(existing, Created: false);
    }

    /// <summary>The job, or null if there is none with that id.</summary>
    public async Task<JobRecord?> GetAsync(string jobId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(jobId);
        await using var command = dataSource.CreateCommand($"SELECT {JobRow.Columns} FROM jobs WHERE id = @id");
        command.Parameters.Add(Db.Text("id", jobId));
        var jobs = await JobRow.ReadAllAsync(command, cancellationToken);
        return jobs.Count == 0 ? null : jobs[0];
    }

    /// <summary>
    /// The job with its tasks and event log, or null if there is none with that id. The three are read in one
    /// repeatable-read transaction, so they agree with each other: a reader never sees an event whose state change it
    /// does not also see (reading them one after another could show a <c>job.failed</c> event beside a PENDING job).
    /// </summary>
    public async Task<JobDetails?> GetDetailsAsync(string jobId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(jobId);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);
        await using var batch = new NpgsqlBatch(connection, transaction)
        {
            BatchCommands =
            {
                ForJob($"SELECT {JobRow.Columns} FROM jobs WHERE id = @id"),
                ForJob($"SELECT {TaskRow.Columns} FROM tasks WHERE job_id = @id ORDER BY created_at, id"),
                ForJob($"SELECT {EventLog.Columns} FROM job_events WHERE job_id = @id ORDER BY id"),
            },
        };

        JobDetails? details = null;
        await using (var reader = await batch.ExecuteReaderAsync(cancellationToken))
        {
            if (await reader.ReadAsync(cancellationToken))
            {
                var job = JobRow.Read(reader);
                await reader.NextResultAsync(cancellationToken);
                var tasks = new List<TaskRecord>();
                while (await reader.ReadAsync(cancellationToken))
                {
                    tasks.Add(TaskRow.Read(reader));
                }

                await reader.NextResultAsync(cancellationToken);
                var events = new List<EventLogEntry>();
                while (await reader.ReadAsync(cancellationToken))
                {
                    events.Add(EventLog.Read(reader));
                }

                details = new JobDetails(job, tasks, events);
            }
        }

        await transaction.CommitAsync(cancellationToken);
        return details;

        NpgsqlBatchCommand ForJob(string sql) => new(sql) { Parameters = { Db.Text("id", jobId) } };
    }

    /// <summary>A page of jobs matching <paramref name="query"/>, newest first, and the number of matches.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Limit is not 1..200 or Offset is negative.</exception>
    public async Task<JobListPage> ListAsync(JobListQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.Limit is < 1 or > JobListQuery.MaxLimit)
        {
            throw new ArgumentOutOfRangeException(
                nameof(query), query.Limit, $"Limit must be between 1 and {JobListQuery.MaxLimit}.");
        }

        if (query.Offset < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(query), query.Offset, "Offset must not be negative.");
        }

        // Only fixed fragments are appended; the values travel as parameters.
        var where = new StringBuilder("WHERE true");
        if (query.Status is not null)
        {
            where.Append(" AND status = @status");
        }

        if (query.Repository is not null)
        {
            where.Append(" AND repository = @repository");
        }

        await using var batch = dataSource.CreateBatch();
        batch.BatchCommands.Add(Filtered(
            $"SELECT {JobRow.Columns} FROM jobs {where} ORDER BY created_at DESC, id DESC LIMIT @limit OFFSET @offset"));
        batch.BatchCommands.Add(Filtered($"SELECT count(*) FROM jobs {where}"));

        var items = new List<JobRecord>();
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            items.Add(JobRow.Read(reader));
        }

        await reader.NextResultAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new JobListPage(items, reader.GetInt64(0));

        NpgsqlBatchCommand Filtered(string sql)
        {
            var command = new NpgsqlBatchCommand(sql);
            if (query.Status is { } status)
            {
                command.Parameters.Add(Db.Text("status", WireName<JobStatus>.Of(status)));
            }

            if (query.Repository is not null)
            {
                command.Parameters.Add(Db.Text("repository", query.Repository));
            }

            command.Parameters.Add(Db.Integer("limit", query.Limit));
            command.Parameters.Add(Db.Integer("offset", query.Offset));
            return command;
        }
    }

    /// <summary>
    /// Moves the job to <paramref name="to"/> and applies <paramref name="changes"/>. Refused (false) when the job is
    /// in a terminal state or does not exist; also false when it is already in <paramref name="to"/> with those
    /// values. Entering a terminal state sets <see cref="JobRecord.CompletedAt"/>.
    /// </summary>
    /// <returns>Whether the stored job changed.</returns>
    public async Task<bool> TransitionAsync(
        string jobId, JobStatus to, JobChanges? changes = null, CancellationToken cancellationToken = default) =>
        await TransitionAsync(jobId, to, changes, [], cancellationToken) is not null;

    /// <summary>
    /// Moves the job like <see cref="TransitionAsync(string, JobStatus, JobChanges?, CancellationToken)"/> and, in the
    /// same transaction, appends <paramref name="events"/> to its event log: the new state and the entries that tell of
    /// it are stored together or not at all, so a reader never sees one without the other, not even after a crash.
    /// </summary>
    /// <returns>The appended entries, in order; null when the job did not change (and nothing was appended).</returns>
    public async Task<IReadOnlyList<EventLogEntry>?> TransitionAsync(
        string jobId, JobStatus to, JobChanges? changes, IReadOnlyList<NewJobEvent> events, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(jobId);
        ArgumentNullException.ThrowIfNull(events);
        changes ??= JobChanges.None;
        if (changes.Iteration is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(changes), changes.Iteration, "Iteration must not be negative.");
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = events.Count > 0 ? await connection.BeginTransactionAsync(cancellationToken) : null;
        await using (var command = TransitionCommand(connection, transaction, jobId, to, changes))
        {
            if (await command.ExecuteNonQueryAsync(cancellationToken) != 1)
            {
                return null;
            }
        }

        var appended = new List<EventLogEntry>(events.Count);
        foreach (var entry in events)
        {
            appended.Add(await _eventLog.AppendAsync(connection, transaction, jobId, entry, cancellationToken));
        }

        if (transaction is not null)
        {
            await transaction.CommitAsync(cancellationToken);
        }

        return appended;
    }

    private NpgsqlCommand TransitionCommand(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, string jobId, JobStatus to, JobChanges changes)
    {
        var now = _time.UtcNow();
        var command = new NpgsqlCommand(
            """
            UPDATE jobs SET
                status = @status,
                iteration = COALESCE(@iteration, iteration),
                base_branch = COALESCE(@base_branch, base_branch),
                pull_request_number = COALESCE(@pull_request_number, pull_request_number),
                pull_request_url = COALESCE(@pull_request_url, pull_request_url),
                branch = COALESCE(@branch, branch),
                head_sha = COALESCE(@head_sha, head_sha),
                merge_commit_sha = COALESCE(@merge_commit_sha, merge_commit_sha),
                error = COALESCE(@error, error),
                conflict_rounds = COALESCE(@conflict_rounds, conflict_rounds),
                updated_at = @now,
                completed_at = @completed_at
            WHERE id = @id
              AND status <> ALL(@terminal)
              AND (status, iteration, base_branch, pull_request_number, pull_request_url, branch, head_sha, merge_commit_sha, error, conflict_rounds)
                  IS DISTINCT FROM
                  (@status, COALESCE(@iteration, iteration), COALESCE(@base_branch, base_branch), COALESCE(@pull_request_number, pull_request_number),
                   COALESCE(@pull_request_url, pull_request_url), COALESCE(@branch, branch), COALESCE(@head_sha, head_sha),
                   COALESCE(@merge_commit_sha, merge_commit_sha), COALESCE(@error, error), COALESCE(@conflict_rounds, conflict_rounds))
            """, connection, transaction);
        command.Parameters.AddAll(
        [
            Db.Text("id", jobId),
            Db.Text("status", WireName<JobStatus>.Of(to)),
            Db.Integer("iteration", changes.Iteration),
            Db.Text("base_branch", changes.BaseBranch),
            Db.Integer("pull_request_number", changes.PullRequestNumber),
            Db.Text("pull_request_url", changes.PullRequestUrl),
            Db.Text("branch", changes.Branch),
            Db.Text("head_sha", changes.HeadSha),
            Db.Text("merge_commit_sha", changes.MergeCommitSha),
            Db.Text("error", _redactor.Redact(changes.Error)),
            Db.Integer("conflict_rounds", changes.ConflictRounds),
            Db.Timestamp("now", now),
            Db.Timestamp("completed_at", to.IsTerminal() ? now : null),
            Db.TextArray("terminal", StatusExtensions.TerminalJobStatuses),
        ]);
        return command;
    }

    /// <summary>Marks the job FAILED with <paramref name="reason"/>; false if it is already terminal or unknown.</summary>
    public Task<bool> MarkFailedAsync(string jobId, string reason, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        return TransitionAsync(jobId, JobStatus.Failed, new JobChanges { Error = reason }, cancellationToken);
    }

    /// <summary>Marks the job CANCELLED; false if it is already terminal or unknown.</summary>
    public Task<bool> MarkCancelledAsync(string jobId, string? reason = null, CancellationToken cancellationToken = default) =>
        TransitionAsync(jobId, JobStatus.Cancelled, new JobChanges { Error = reason }, cancellationToken);

    /// <summary>Adds <paramref name="usage"/> to the job's token counters (terminal jobs included: the tokens were spent).</summary>
    /// <returns>Whether the job exists.</returns>
    public async Task<bool> AddTokenUsageAsync(string jobId, TokenUsage usage, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(jobId);
        ValidateUsage(usage);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = TokenUsageCommand(connection, null, jobId, usage, _time.UtcNow());
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    /// <summary>Adds <paramref name="usage"/> to the job's token counters, as part of the caller's transaction.</summary>
    internal static NpgsqlCommand TokenUsageCommand(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, string jobId, TokenUsage usage, DateTimeOffset now) =>
        UsageCommand("jobs", connection, transaction, jobId, usage, now);

    /// <summary>
    /// Adds <paramref name="usage"/> to the token and cost counters of row <paramref name="id"/> of
    /// <paramref name="table"/> (<c>jobs</c> or <c>tasks</c>, which count alike), as part of the caller's transaction.
    /// </summary>
    internal static NpgsqlCommand UsageCommand(
        string table, NpgsqlConnection connection, NpgsqlTransaction? transaction, string id, TokenUsage usage, DateTimeOffset now)
    {
        if (table is not ("jobs" or "tasks"))
        {
            throw new ArgumentOutOfRangeException(nameof(table), table, "Only jobs and tasks count tokens.");
        }

        var command = new NpgsqlCommand($"UPDATE {table} SET {UsageAssignments} WHERE id = @id", connection, transaction);
        command.Parameters.Add(Db.Text("id", id));
        command.Parameters.AddAll(UsageParameters(usage, now));
        return command;
    }

    /// <summary>
    /// The assignments that add a usage to a <c>jobs</c> or <c>tasks</c> row's token and cost counters and set its
    /// <c>updated_at</c>, from the parameters <see cref="UsageParameters"/> gives.
    /// </summary>
    internal const string UsageAssignments = """
        input_tokens = input_tokens + @input_tokens, output_tokens = output_tokens + @output_tokens,
            cost = CASE WHEN @cost IS NULL THEN cost ELSE COALESCE(cost, 0) + @cost END, updated_at = @now
        """;

    /// <summary>The parameters of <see cref="UsageAssignments"/>: <c>@input_tokens</c>, <c>@output_tokens</c>, <c>@cost</c>, <c>@now</c>.</summary>
    internal static NpgsqlParameter[] UsageParameters(TokenUsage usage, DateTimeOffset now) =>
    [
        Db.Bigint("input_tokens", usage.InputTokens),
        Db.Bigint("output_tokens", usage.OutputTokens),
        Db.Numeric("cost", usage.Cost),
        Db.Timestamp("now", now),
    ];

    /// <summary>Throws unless <paramref name="usage"/> is there and has no negative count.</summary>
    internal static void ValidateUsage(TokenUsage usage)
    {
        ArgumentNullException.ThrowIfNull(usage);
        if (usage.InputTokens < 0 || usage.OutputTokens < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(usage), usage, "Token counts must not be negative.");
        }
    }

    /// <summary>Every job not yet in a terminal state, oldest first: the work to resume after a restart.</summary>
    public async Task<IReadOnlyList<JobRecord>> ListUnfinishedAsync(CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(
            $"SELECT {JobRow.Columns} FROM jobs WHERE status <> ALL(@terminal) ORDER BY created_at, id");
        command.Parameters.Add(Db.TextArray("terminal", StatusExtensions.TerminalJobStatuses));
        return await JobRow.ReadAllAsync(command, cancellationToken);
    }

    private static void Validate(JobRecord job)
    {
        ArgumentNullException.ThrowIfNull(job);
        Require(!string.IsNullOrWhiteSpace(job.Id), "a job needs an id");
        Require(!string.IsNullOrWhiteSpace(job.Repository), "a job needs a repository");
        Require(!string.IsNullOrWhiteSpace(job.Title), "a job needs a title");
        Require(job.Budget is not { IsPositive: false }, "a job's budget must be positive");
        Require(job.Description is not null && job.Requirements is not null, "Description and Requirements must not be null");
        Require(job.Iteration >= 0, "Iteration must not be negative");
        Require(job.MaxIterations >= 1, "MaxIterations must be at least 1");
        Require(job.Tokens is { InputTokens: >= 0, OutputTokens: >= 0 }, "Tokens must not be null or negative");

        static void Require(bool condition, string message)
        {
            if (!condition)
            {
                throw new ArgumentException($"Invalid job: {message}.", nameof(job));
            }
        }
    }
}
