using System.Text.Json;
using MultiAgent.Persistence.Internal;
using MultiAgent.Persistence.Sql;
using MultiAgent.Secrets;
using Npgsql;

namespace MultiAgent.Persistence;

/// <summary>
/// The append-only job event log (<c>job_events</c>): entries are added and read, never changed or removed.
/// The message and data pass through the <see cref="SecretRedactor"/> before they are stored (credential shapes only
/// when none is given). Database errors surface as <see cref="NpgsqlException"/>.
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
        string jobId, string type, string message, JsonElement? data = null, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return (await AppendAsync(connection, null, jobId, new NewJobEvent(type, message, data), cancellationToken)).Id;
    }

    /// <summary>
    /// Appends <paramref name="entry"/> on <paramref name="connection"/>, inside <paramref name="transaction"/> when one
    /// is given (so that it is stored together with whatever else the transaction writes, or not at all).
    /// </summary>
    internal async Task<EventLogEntry> AppendAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, string jobId, NewJobEvent entry, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(jobId);
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentException.ThrowIfNullOrWhiteSpace(entry.Type);
        ArgumentNullException.ThrowIfNull(entry.Message);

        var message = _redactor.Redact(entry.Message) ?? "";
        var data = entry.Data is { } details ? _redactor.Redact(details) : (JsonElement?)null;
        var now = _time.UtcNow();
        await using var command = new NpgsqlCommand(
            """
            INSERT INTO job_events (job_id, type, message, data, created_at)
            VALUES (@job_id, @type, @message, @data, @now)
            RETURNING id
            """, connection, transaction);
        command.Parameters.AddAll(
        [
            Db.Text("job_id", jobId),
            Db.Text("type", entry.Type),
            Db.Text("message", message),
            Db.Jsonb("data", data),
            Db.Timestamp("now", now),
        ]);
        var id = (long)(await command.ExecuteScalarAsync(cancellationToken)
            ?? throw new InvalidOperationException("INSERT … RETURNING id returned nothing."));
        return new EventLogEntry(id, jobId, entry.Type, message, data, now);
    }

    /// <summary>The job's entries with an id greater than <paramref name="afterId"/>, in append order.</summary>
    public async Task<IReadOnlyList<EventLogEntry>> ReadAsync(
        string jobId, long afterId = 0, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(jobId);
        ArgumentOutOfRangeException.ThrowIfNegative(afterId);

        await using var command = dataSource.CreateCommand(
            """
            SELECT id, job_id, type, message, data, created_at FROM job_events
            WHERE job_id = @job_id AND id > @after_id
            ORDER BY id
            """);
        command.Parameters.Add(Db.Text("job_id", jobId));
        command.Parameters.Add(Db.Bigint("after_id", afterId));

        var events = new List<EventLogEntry>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            events.Add(new EventLogEntry(
                reader.Get<long>("id"),
                reader.Get<string>("job_id"),
                reader.Get<string>("type"),
                reader.Get<string>("message"),
                reader.GetJson("data"),
                reader.Get<DateTimeOffset>("created_at")));
        }

        return events;
    }
}
