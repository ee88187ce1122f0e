using System.Data;
using MultiAgent.Contracts;
using MultiAgent.Persistence.Sql;
using MultiAgent.Secrets;
using Npgsql;

namespace MultiAgent.Persistence;

/// <summary>
/// Projects and their features in PostgreSQL (<c>projects</c>, <c>project_features</c>). A project's state moves only
/// forward and never leaves a terminal state; each change is stored with the timeline entries that tell of it (in
/// <c>job_events</c>, under the project id), in one transaction. Steps of one project are serialised by a row lock on
/// the project, so two Repo Manager instances (or two events handled at once) never start a feature twice.
/// </summary>
public sealed class ProjectStore(NpgsqlDataSource dataSource, TimeProvider? timeProvider = null, SecretRedactor? redactor = null)
{
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;
    private readonly SecretRedactor _redactor = redactor ?? new SecretRedactor();
    private readonly EventLog _eventLog = new(dataSource, timeProvider, redactor);

    /// <summary>
    /// Stores <paramref name="project"/> (PLANNING) with <paramref name="created"/> on its timeline, unless a project
    /// with its id exists (idempotent by id: the existing one is returned, nothing appended).
    /// </summary>
    public async Task<(ProjectRecord Project, IReadOnlyList<EventLogEntry> Appended)> CreateAsync(
        ProjectRecord project, NewJobEvent created, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(project);
        ArgumentNullException.ThrowIfNull(created);
        Validate(project);
        var now = _time.UtcNow();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var insert = new NpgsqlCommand(
            """
            INSERT INTO projects (id, repository, title, requirements, base_branch, status, require_plan_approval, max_iterations,
                require_approval, budget_tokens, budget_cost, requested_by, created_at, updated_at)
            VALUES (@id, @repository, @title, @requirements, @base_branch, @status, @require_plan_approval, @max_iterations,
                @require_approval, @budget_tokens, @budget_cost, @requested_by, @now, @now)
            ON CONFLICT (id) DO NOTHING
            """, connection, transaction))
        {
            insert.Parameters.AddAll(
            [
                Db.Text("id", project.Id),
                Db.Text("repository", _redactor.Redact(project.Repository)),
                Db.Text("title", _redactor.Redact(project.Title)),
                Db.Text("requirements", _redactor.Redact(project.Requirements)),
                Db.Text("base_branch", project.BaseBranch),
                Db.Text("status", WireName<ProjectStatus>.Of(ProjectStatus.Planning)),
                Db.Boolean("require_plan_approval", project.RequirePlanApproval),
                Db.Integer("max_iterations", project.MaxIterations),
                Db.Boolean("require_approval", project.RequireApproval),
                Db.Bigint("budget_tokens", project.Budget?.Tokens),
                Db.Numeric("budget_cost", project.Budget?.Cost),
                Db.Text("requested_by", project.RequestedBy),
                Db.Timestamp("now", now),
            ]);
            if (await insert.ExecuteNonQueryAsync(cancellationToken) == 0)
            {
                await transaction.RollbackAsync(cancellationToken);
                return (await GetAsync(project.Id, cancellationToken)
                    ?? throw new InvalidOperationException($"Project {project.Id} conflicted on insert but cannot be read."), []);
            }
        }

        var entry = await _eventLog.AppendAsync(connection, transaction, project.Id, created, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return (await GetAsync(project.Id, cancellationToken) ?? throw new InvalidOperationException($"Project {project.Id} was stored but cannot be read."), [entry]);
    }

    /// <summary>The project, or null.</summary>
    public async Task<ProjectRecord?> GetAsync(string projectId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(projectId);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await ReadProjectAsync(connection, null, projectId, forUpdate: false, cancellationToken);
    }

    /// <summary>The project with its features and its own timeline (one repeatable-read transaction), or null.</summary>
    public async Task<ProjectDetails?> GetDetailsAsync(string projectId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(projectId);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);
        if (await ReadProjectAsync(connection, transaction, projectId, forUpdate: false, cancellationToken) is not { } project)
        {
            return null;
        }

        var features = await ReadFeaturesAsync(connection, transaction, projectId, cancellationToken);
        var events = new List<EventLogEntry>();
        await using (var command = new NpgsqlCommand($"SELECT {EventLog.Columns} FROM job_events WHERE job_id = @id ORDER BY id", connection, transaction))
        {
            command.Parameters.Add(Db.Text("id", projectId));
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                events.Add(EventLog.Read(reader));
            }
        }

        await transaction.CommitAsync(cancellationToken);
        return new ProjectDetails(project, features, events);
    }

    /// <summary>A page of projects (newest first) with their features, and how many match.</summary>
    public async Task<ProjectListPage> ListAsync(ProjectStatus? status, int limit, int offset, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(limit, 200);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);
        var where = status is null ? "" : "WHERE p.status = @status";
        var projects = new List<ProjectRecord>();
        await using (var command = new NpgsqlCommand(
            $"SELECT {ProjectRow.Columns} FROM {ProjectRow.From} {where} ORDER BY p.created_at DESC, p.id DESC LIMIT @limit OFFSET @offset",
            connection, transaction))
        {
            AddFilter(command);
            command.Parameters.Add(Db.Integer("limit", limit));
            command.Parameters.Add(Db.Integer("offset", offset));
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                projects.Add(ProjectRow.Read(reader));
            }
        }

        long total;
        await using (var count = new NpgsqlCommand($"SELECT count(*) FROM projects p {where}", connection, transaction))
        {
            AddFilter(count);
            total = (long)(await count.ExecuteScalarAsync(cancellationToken) ?? 0L);
        }

        var features = await ReadFeaturesAsync(connection, transaction, [.. projects.Select(p => p.Id)], cancellationToken);
        var items = projects.Select(p => new ProjectSnapshot(p, features.GetValueOrDefault(p.Id) ?? [])).ToList();
        await transaction.CommitAsync(cancellationToken);
        return new ProjectListPage(items, total);

        void AddFilter(NpgsqlCommand command)
        {
            if (status is { } wanted)
            {
                command.Parameters.Add(Db.Text("status", WireName<ProjectStatus>.Of(wanted)));
            }
        }
    }

    /// <summary>The project a job belongs to, or null.</summary>
    public async Task<string?> ProjectOfJobAsync(string jobId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(jobId);
        await using var command = dataSource.CreateCommand("SELECT project_id FROM project_features WHERE job_id = @job_id");
        command.Parameters.Add(Db.Text("job_id", jobId));
        return await command.ExecuteScalarAsync(cancellationToken) as string;
    }

    /// <summary>
    /// Stores the plan of a PLANNING project: its features (WAITING) and its new state (<paramref name="to"/>: PLANNED or
    /// RUNNING), with <paramref name="events"/>. Null (nothing stored) when the project is not PLANNING any more.
    /// </summary>
    public async Task<IReadOnlyList<EventLogEntry>?> SavePlanAsync(
        string projectId, IReadOnlyList<PlannedFeature> features, ProjectStatus to, IReadOnlyList<NewJobEvent> events,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(features);
        if (to is not (ProjectStatus.Planned or ProjectStatus.Running))
        {
            throw new ArgumentOutOfRangeException(nameof(to), to, "A plan moves a project to PLANNED or RUNNING.");
        }

        return await InTransactionAsync(projectId, async (connection, transaction, project) =>
        {
            if (project.Status != ProjectStatus.Planning)
            {
                return null;
            }

            for (var position = 0; position < features.Count; position++)
            {
                var feature = features[position];
                await using var insert = new NpgsqlCommand(
                    """
                    INSERT INTO project_features (project_id, key, position, title, description, acceptance_criteria, depends_on, status)
                    VALUES (@project_id, @key, @position, @title, @description, @acceptance_criteria, @depends_on, @status)
                    """, connection, transaction);
                insert.Parameters.AddAll(
                [
                    Db.Text("project_id", projectId),
                    Db.Text("key", feature.Key),
                    Db.Integer("position", position),
                    Db.Text("title", _redactor.Redact(feature.Title)),
                    Db.Text("description", _redactor.Redact(feature.Description)),
                    Db.Jsonb("acceptance_criteria", ProjectRow.WriteList([.. feature.AcceptanceCriteria.Select(c => _redactor.Redact(c) ?? "")])),
                    Db.Jsonb("depends_on", ProjectRow.WriteList(feature.DependsOn)),
                    Db.Text("status", WireName<FeatureStatus>.Of(FeatureStatus.Waiting)),
                ]);
                await insert.ExecuteNonQueryAsync(cancellationToken);
            }

            await SetStatusAsync(connection, transaction, projectId, to, null, cancellationToken);
            return await AppendAsync(connection, transaction, projectId, events, cancellationToken);
        }, cancellationToken);
    }

    /// <summary>
    /// One step of a project: reads it and its features under the project's row lock, lets <paramref name="decide"/>
    /// say what changes, and stores that with its timeline entries in the same transaction.
    /// </summary>
    /// <returns>The snapshot the step was decided on, the step, and the entries appended; null when there is no such project.</returns>
    public Task<(ProjectSnapshot Before, ProjectStep Step, IReadOnlyList<EventLogEntry> Appended)?> StepAsync(
        string projectId, Func<ProjectSnapshot, ProjectStep> decide, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(decide);
        return InTransactionAsync<(ProjectSnapshot, ProjectStep, IReadOnlyList<EventLogEntry>)?>(projectId, async (connection, transaction, project) =>
        {
            var before = new ProjectSnapshot(project, await ReadFeaturesAsync(connection, transaction, projectId, cancellationToken));
            var step = decide(before);
            if (step.Status is { } to && project.Status.IsTerminal())
            {
                throw new InvalidOperationException($"Project {projectId} is {project.Status}: its state never changes again.");
            }

            foreach (var change in step.Features)
            {
                await using var update = new NpgsqlCommand(
                    """
                    UPDATE project_features SET status = @status, job_id = COALESCE(@job_id, job_id), reason = COALESCE(@reason, reason)
                    WHERE project_id = @project_id AND key = @key
                    """, connection, transaction);
                update.Parameters.AddAll(
                [
                    Db.Text("project_id", projectId),
                    Db.Text("key", change.Key),
                    Db.Text("status", WireName<FeatureStatus>.Of(change.Status)),
                    Db.Text("job_id", change.JobId),
                    Db.Text("reason", _redactor.Redact(change.Reason)),
                ]);
                if (await update.ExecuteNonQueryAsync(cancellationToken) != 1)
                {
                    throw new InvalidOperationException($"Project {projectId} has no feature '{change.Key}'.");
                }
            }

            if (step.Status is { } status)
            {
                await SetStatusAsync(connection, transaction, projectId, status, step.Error, cancellationToken);
            }

            return (before, step, await AppendAsync(connection, transaction, projectId, step.Events, cancellationToken));
        }, cancellationToken);
    }

    /// <summary>
    /// Adds a job submitted with <c>--project</c> to the project as a feature of its own (RUNNING, no dependencies),
    /// unless it is there already. Refused (false) when the project does not exist or has ended.
    /// </summary>
    public async Task<bool> AttachAsync(string projectId, string jobId, string title, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(jobId);
        return await InTransactionAsync(projectId, async (connection, transaction, project) =>
        {
            await using var insert = new NpgsqlCommand(
                """
                INSERT INTO project_features (project_id, key, position, title, job_id, status)
                SELECT @project_id, @job_id, COALESCE(max(position) + 1, 0), @title, @job_id, @status FROM project_features WHERE project_id = @project_id
                ON CONFLICT DO NOTHING
                """, connection, transaction);
            insert.Parameters.AddAll(
            [
                Db.Text("project_id", projectId),
                Db.Text("job_id", jobId),
                Db.Text("title", _redactor.Redact(title)),
                Db.Text("status", WireName<FeatureStatus>.Of(FeatureStatus.Running)),
            ]);
            if (project.Status.IsTerminal())
            {
                // Already attached (a redelivered request) counts; a new job joins no ended project.
                return await ProjectOfJobAsync(jobId, cancellationToken) == projectId;
            }

            await insert.ExecuteNonQueryAsync(cancellationToken);
            return true;
        }, cancellationToken);
    }

    private async Task<T?> InTransactionAsync<T>(
        string projectId, Func<NpgsqlConnection, NpgsqlTransaction, ProjectRecord, Task<T?>> work, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(projectId);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (await ReadProjectAsync(connection, transaction, projectId, forUpdate: true, cancellationToken) is not { } project)
        {
            return default;
        }

        var result = await work(connection, transaction, project);
        await transaction.CommitAsync(cancellationToken);
        return result;
    }

    private async Task SetStatusAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string projectId, ProjectStatus to, string? error, CancellationToken cancellationToken)
    {
        var now = _time.UtcNow();
        await using var update = new NpgsqlCommand(
            """
            UPDATE projects SET status = @status, error = COALESCE(@error, error), updated_at = @now, completed_at = @completed_at
            WHERE id = @id AND status <> ALL(@terminal)
            """, connection, transaction);
        update.Parameters.AddAll(
        [
            Db.Text("id", projectId),
            Db.Text("status", WireName<ProjectStatus>.Of(to)),
            Db.Text("error", _redactor.Redact(error)),
            Db.Timestamp("now", now),
            Db.Timestamp("completed_at", to.IsTerminal() ? now : null),
            Db.TextArray("terminal", StatusExtensions.TerminalProjectStatuses),
        ]);
        await update.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task<IReadOnlyList<EventLogEntry>> AppendAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string projectId, IReadOnlyList<NewJobEvent> events, CancellationToken cancellationToken)
    {
        var appended = new List<EventLogEntry>(events.Count);
        foreach (var entry in events)
        {
            appended.Add(await _eventLog.AppendAsync(connection, transaction, projectId, entry, cancellationToken));
        }

        return appended;
    }

    private static async Task<ProjectRecord?> ReadProjectAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, string projectId, bool forUpdate, CancellationToken cancellationToken)
    {
        if (forUpdate)
        {
            // The lock first (on the project row alone: a lateral join cannot be locked), then the read.
            await using var lockRow = new NpgsqlCommand("SELECT 1 FROM projects WHERE id = @id FOR UPDATE", connection, transaction);
            lockRow.Parameters.Add(Db.Text("id", projectId));
            if (await lockRow.ExecuteScalarAsync(cancellationToken) is null)
            {
                return null;
            }
        }

        await using var command = new NpgsqlCommand($"SELECT {ProjectRow.Columns} FROM {ProjectRow.From} WHERE p.id = @id", connection, transaction);
        command.Parameters.Add(Db.Text("id", projectId));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ProjectRow.Read(reader) : null;
    }

    private static async Task<IReadOnlyList<FeatureRecord>> ReadFeaturesAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, string projectId, CancellationToken cancellationToken) =>
        (await ReadFeaturesAsync(connection, transaction, [projectId], cancellationToken)).GetValueOrDefault(projectId) ?? [];

    /// <summary>The features of each of <paramref name="projectIds"/> in plan order, in one query (a project without any is absent).</summary>
    private static async Task<Dictionary<string, List<FeatureRecord>>> ReadFeaturesAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, string[] projectIds, CancellationToken cancellationToken)
    {
        var features = new Dictionary<string, List<FeatureRecord>>(StringComparer.Ordinal);
        if (projectIds.Length == 0)
        {
            return features;
        }

        await using var command = new NpgsqlCommand(
            $"SELECT f.project_id AS f_project_id, {ProjectRow.FeatureColumns} FROM {ProjectRow.FeaturesFrom} WHERE f.project_id = ANY(@ids) ORDER BY f.project_id, f.position",
            connection, transaction);
        command.Parameters.Add(Db.TextArray("ids", projectIds));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var projectId = reader.Get<string>("f_project_id");
            if (!features.TryGetValue(projectId, out var list))
            {
                features[projectId] = list = [];
            }

            list.Add(ProjectRow.ReadFeature(reader));
        }

        return features;
    }

    private static void Validate(ProjectRecord project)
    {
        if (string.IsNullOrWhiteSpace(project.Id) || string.IsNullOrWhiteSpace(project.Repository) || string.IsNullOrWhiteSpace(project.Title)
            || project.Requirements is null)
        {
            throw new ArgumentException("Invalid project: it needs an id, a repository, a title and requirements.", nameof(project));
        }

        if (project.MaxIterations < 1 || project.Budget is { IsPositive: false })
        {
            throw new ArgumentException("Invalid project: MaxIterations must be at least 1 and a budget positive.", nameof(project));
        }
    }
}
