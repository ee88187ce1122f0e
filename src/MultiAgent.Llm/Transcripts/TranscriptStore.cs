using System.Text.Json;
using MultiAgent.Persistence;
using Npgsql;
using NpgsqlTypes;

namespace MultiAgent.Llm;

/// <summary>The kinds of transcript entries.</summary>
public static class TranscriptKinds
{
    /// <summary>One model call: the new request messages, the options, the response (or error), usage, duration.</summary>
    public const string ModelCall = "model_call";

    /// <summary>The result of one tool call, as the caller recorded it.</summary>
    public const string ToolResult = "tool_result";
}

/// <summary>A transcript entry to append: its kind, its JSON content (already redacted), when it happened.</summary>
public sealed record TranscriptItem(string Kind, string Content, DateTimeOffset CreatedAt);

/// <summary>A stored transcript entry.</summary>
/// <param name="Id">Row id.</param>
/// <param name="TaskId">The task (envelope id).</param>
/// <param name="JobId">The task's job.</param>
/// <param name="Seq">Position in the task's transcript, from 1, across all of the task's attempts.</param>
/// <param name="Kind">See <see cref="TranscriptKinds"/>.</param>
/// <param name="Content">The entry.</param>
/// <param name="CreatedAt">When it happened.</param>
public sealed record TranscriptEntry(long Id, string TaskId, string JobId, int Seq, string Kind, JsonElement Content, DateTimeOffset CreatedAt);

/// <summary>
/// Each task's transcript (<c>task_transcripts</c>, this library's migration 0003, <see cref="Migrations"/>): append-only, numbered per task. Entries of a
/// task's later attempt continue its numbering. Database errors surface as <see cref="NpgsqlException"/>.
/// </summary>
public sealed class TranscriptStore(NpgsqlDataSource dataSource)
{
    /// <summary>First key of the transaction advisory lock that serialises appends to one task's transcript.</summary>
    private const int AppendLockClass = 0x4D41_5452; // "MATR"

    /// <summary>The migrations of the transcript table (Migrations/*.sql), registered by AddLlm for the migrator.</summary>
    public static MigrationSource Migrations { get; } =
        MigrationSource.FromEmbedded(typeof(TranscriptStore).Assembly, "MultiAgent.Llm.Migrations.");

    /// <summary>Appends <paramref name="items"/>, in order, after the task's last entry.</summary>
    /// <returns>The sequence number of the last entry appended (0 when there was nothing to append).</returns>
    public async Task<int> AppendAsync(
        string taskId, string jobId, IReadOnlyList<TranscriptItem> items, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(taskId);
        ArgumentException.ThrowIfNullOrWhiteSpace(jobId);
        ArgumentNullException.ThrowIfNull(items);
        if (items.Count == 0)
        {
            return 0;
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var lockCommand = new NpgsqlCommand("SELECT pg_advisory_xact_lock(@class, hashtext(@task_id))", connection, transaction))
        {
            lockCommand.Parameters.Add(new NpgsqlParameter("class", NpgsqlDbType.Integer) { Value = AppendLockClass });
            lockCommand.Parameters.Add(new NpgsqlParameter("task_id", NpgsqlDbType.Text) { Value = taskId });
            await lockCommand.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await using var insert = new NpgsqlCommand(
            """
            WITH last AS (SELECT coalesce(max(seq), 0) AS seq FROM task_transcripts WHERE task_id = @task_id)
            INSERT INTO task_transcripts (task_id, job_id, seq, kind, content, created_at)
            SELECT @task_id, @job_id, last.seq + item.ord, item.kind, item.content::jsonb, item.created_at
            FROM last, unnest(@kinds, @contents, @times) WITH ORDINALITY AS item(kind, content, created_at, ord)
            RETURNING seq
            """,
            connection,
            transaction);
        insert.Parameters.Add(new NpgsqlParameter("task_id", NpgsqlDbType.Text) { Value = taskId });
        insert.Parameters.Add(new NpgsqlParameter("job_id", NpgsqlDbType.Text) { Value = jobId });
        insert.Parameters.Add(new NpgsqlParameter("kinds", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = items.Select(i => i.Kind).ToArray() });
        insert.Parameters.Add(new NpgsqlParameter("contents", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = items.Select(i => i.Content).ToArray() });
        insert.Parameters.Add(new NpgsqlParameter("times", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz)
        {
            Value = items.Select(i => i.CreatedAt.ToUniversalTime()).ToArray(),
        });

        var last = 0;
        await using (var reader = await insert.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                last = Math.Max(last, reader.GetInt32(0));
            }
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return last;
    }

    /// <summary>The task's transcript in order; empty when it has none.</summary>
    public async Task<IReadOnlyList<TranscriptEntry>> ReadAsync(string taskId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(taskId);
        await using var command = dataSource.CreateCommand(
            """
            SELECT id, task_id, job_id, seq, kind, content::text, created_at FROM task_transcripts
            WHERE task_id = @task_id
            ORDER BY seq
            """);
        command.Parameters.Add(new NpgsqlParameter("task_id", NpgsqlDbType.Text) { Value = taskId });

        var entries = new List<TranscriptEntry>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            using var content = JsonDocument.Parse(reader.GetString(5));
            entries.Add(new TranscriptEntry(
                reader.GetInt64(0),
                reader.GetString(1),
                reader.GetString(2),
                reader.GetInt32(3),
                reader.GetString(4),
                content.RootElement.Clone(),
                reader.GetFieldValue<DateTimeOffset>(6)));
        }

        return entries;
    }
}
