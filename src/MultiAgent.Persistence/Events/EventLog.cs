using System.Text.Json;
using MultiAgent.Persistence.Internal;
using MultiAgent.Persistence.Sql;
using MultiAgent.Secrets;
using MultiAgent.Contracts;
using Npgsql;

namespace MultiAgent.Persistence;

/// <summary>
/// The append-only job event log (<c>job_events</c>): entries are added and read, never changed or removed, except for
/// the mark that an entry was published to the event stream (the log is the stream's outbox: <see cref="ReadUnpublishedAsync"/>,
/// <see cref="MarkPublishedAsync"/>). The message and data pass through the <see cref="SecretRedactor"/> before they are
/// stored (credential shapes only when none is given). Database errors surface as <see cref="NpgsqlException"/>.
/// </summary>
/// <remarks>
/// Ids come from a sequence, so two appends committing concurrently can become visible out of id order; a reader
/// polling with <c>afterId</c> may, rarely, skip an entry appended at the same moment as the one it last saw.
/// </remarks>
public sealed class EventLog(NpgsqlDataSource dataSource, TimeProvider? timeProvider = null, SecretRedactor? redactor = null)
{
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;
    private readonly SecretRedactor _redactor = redactor ?? new SecretRedactor();

    /// <summary>Appends an entry to the job's log.</summary>
    /// <returns>The new entry's id.</returns>
    public async Task<long> AppendAsync(
        string jobId, string type, string message, JsonElement? data = null, CancellationToken cancellationToken = default) =>
        (await AppendAsync(jobId, new NewJobEvent(type, message, data), cancellationToken)).Id;

    /// <summary>Appends <paramref name="entry"/> to the job's log.</summary>
    /// <returns>The entry as stored (redacted, with its id and time).</returns>
    public async Task<EventLogEntry> AppendAsync(string jobId, NewJobEvent entry, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await AppendAsync(connection, null, jobId, entry, cancellationToken);
    }

    /// <summary>
    /// Appends <paramref name="entry"/> on <paramref name="connection"/>, inside <paramref name="transaction"/> when one
    /// is given (so that it is stored together with whatever else the transaction writes, or not at all).
    /// </summary>
    internal async Task<EventLogEntry> AppendAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, string jobId, NewJobEvent entry, CancellationToken cancellationToken)
    {
        var (stored, parameters) = NewRow(jobId, entry);
        await using var command = new NpgsqlCommand(
            $"INSERT INTO job_events ({InsertColumns}) VALUES ({InsertValues}) RETURNING id", connection, transaction);
        command.Parameters.AddAll(parameters);
        var id = (long)(await command.ExecuteScalarAsync(cancellationToken)
            ?? throw new InvalidOperationException("INSERT … RETURNING id returned nothing."));
        return stored with { Id = id };
    }

    /// <summary>The <c>job_events</c> columns an insert fills, from <see cref="InsertValues"/>.</summary>
    internal const string InsertColumns = "job_id, type, message, data, created_at, task_id, agent_type";

    /// <summary>The values of <see cref="InsertColumns"/>, from the parameters <see cref="NewRow"/> gives.</summary>
    internal const string InsertValues = "@job_id, @type, @message, @data, @created_at, @task_id, @agent_type";

    /// <summary>
    /// <paramref name="entry"/> as it is stored (redacted, with its time; its id is 0 until the insert gives it one) and
    /// the parameters of <see cref="InsertValues"/> that store it.
    /// </summary>
    internal (EventLogEntry Stored, NpgsqlParameter[] Parameters) NewRow(string jobId, NewJobEvent entry)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(jobId);
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentException.ThrowIfNullOrWhiteSpace(entry.Type);
        ArgumentNullException.ThrowIfNull(entry.Message);

        var message = _redactor.Redact(entry.Message) ?? "";
        var data = entry.Data is { } details ? _redactor.Redact(details) : (JsonElement?)null;
        // PostgreSQL keeps microseconds: the entry returned is exactly what a later read (the relay's) gives.
        var now = _time.UtcNow();
        now = now.AddTicks(-(now.Ticks % (TimeSpan.TicksPerMillisecond / 1000)));
        return (new EventLogEntry(0, jobId, entry.Type, message, data, now, entry.TaskId, entry.AgentType),
        [
            Db.Text("job_id", jobId),
            Db.Text("type", entry.Type),
            Db.Text("message", message),
            Db.Jsonb("data", data),
            Db.Timestamp("created_at", now),
            Db.Text("task_id", entry.TaskId),
            Db.Text("agent_type", entry.AgentType is { } agent ? WireName<AgentType>.Of(agent) : null),
        ]);
    }

    /// <summary>
    /// Entries not yet marked published and appended at least <paramref name="minAge"/> ago (their writer had that
    /// long to publish them itself), oldest first, at most <paramref name="limit"/>.
    /// </summary>
    public async Task<IReadOnlyList<EventLogEntry>> ReadUnpublishedAsync(int limit, TimeSpan minAge, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        await using var command = dataSource.CreateCommand(
            $"""
            SELECT {Columns} FROM job_events
            WHERE published_at IS NULL AND created_at <= @before
            ORDER BY id
            LIMIT @limit
            """);
        command.Parameters.AddAll([Db.Timestamp("before", _time.UtcNow() - minAge), Db.Integer("limit", limit)]);
        return await ReadEntriesAsync(command, cancellationToken);
    }

    /// <summary>Marks the entries <paramref name="ids"/> as published to the event stream (those already marked stay as they were).</summary>
    public async Task MarkPublishedAsync(IReadOnlyCollection<long> ids, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ids);
        if (ids.Count == 0)
        {
            return;
        }

        await using var command = dataSource.CreateCommand(
            "UPDATE job_events SET published_at = @now WHERE id = ANY(@ids) AND published_at IS NULL");
        command.Parameters.AddAll([Db.Timestamp("now", _time.UtcNow()), new NpgsqlParameter<long[]>("ids", [.. ids])]);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>The job's entries with an id greater than <paramref name="afterId"/>, in append order.</summary>
    public async Task<IReadOnlyList<EventLogEntry>> ReadAsync(
        string jobId, long afterId = 0, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(jobId);
        ArgumentOutOfRangeException.ThrowIfNegative(afterId);

        await using var command = dataSource.CreateCommand(
            $"""
            SELECT {Columns} FROM job_events
            WHERE job_id = @job_id AND id > @after_id
            ORDER BY id
            """);
        command.Parameters.Add(Db.Text("job_id", jobId));
        command.Parameters.Add(Db.Bigint("after_id", afterId));
        return await ReadEntriesAsync(command, cancellationToken);
    }

    /// <summary>The <c>job_events</c> columns <see cref="Read"/> expects.</summary>
    internal const string Columns = "id, job_id, type, message, data, created_at, task_id, agent_type";

    /// <summary>The entry at the reader's current row (selected with <see cref="Columns"/>).</summary>
    internal static EventLogEntry Read(NpgsqlDataReader reader) => new(
        reader.Get<long>("id"),
        reader.Get<string>("job_id"),
        reader.Get<string>("type"),
        reader.Get<string>("message"),
        reader.GetJson("data"),
        reader.Get<DateTimeOffset>("created_at"),
        reader.GetNullableString("task_id"),
        reader.GetNullableString("agent_type") is { } agent ? WireName<AgentType>.Parse(agent) : null);

    private static async Task<IReadOnlyList<EventLogEntry>> ReadEntriesAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var events = new List<EventLogEntry>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            events.Add(Read(reader));
        }

        return events;
    }
}
