using Microsoft.Extensions.Logging;
using MultiAgent.Persistence.Internal;
using MultiAgent.Persistence.Sql;
using Npgsql;

namespace MultiAgent.Persistence;

/// <summary>
/// Brings the database schema up to date with the migrations this process carries: the job store's own
/// (<see cref="Source"/>) and those other libraries registered with <c>AddMigrations</c> (the local-git pull requests,
/// 0002; the transcripts, 0003). Versions are one sequence across libraries and are applied in version order; a
/// version owned by a library this process does not carry is left to the processes that carry it (the owners' tables
/// do not depend on each other). Several processes may call <see cref="MigrateAsync"/> at once: a session-level
/// advisory lock lets one migrate while the others wait, after which they find nothing left to do.
/// </summary>
public sealed partial class DatabaseMigrator(
    NpgsqlDataSource dataSource, ILogger<DatabaseMigrator> logger, IEnumerable<MigrationSource> sources)
{
    /// <summary>
    /// Key of the session-level advisory lock (<c>pg_advisory_lock</c>) held while migrating: the ASCII bytes
    /// "MAMIGR" followed by 0x0001. Fixed forever; every build of every process must use the same key.
    /// </summary>
    public const long AdvisoryLockKey = 0x4D41_4D49_4752_0001;

    private const string CreateHistoryTable =
        """
        CREATE TABLE IF NOT EXISTS schema_migrations (
            version    integer     PRIMARY KEY,
            name       text        NOT NULL,
            checksum   text        NOT NULL,
            applied_at timestamptz NOT NULL
        )
        """;

    /// <summary>The job store's own migrations (jobs, tasks, events, leases), embedded in this assembly.</summary>
    public static MigrationSource Source { get; } =
        MigrationSource.FromEmbedded(typeof(DatabaseMigrator).Assembly, "MultiAgent.Persistence.Migrations.");

    /// <summary>The migrations this process carries, in version order.</summary>
    public IReadOnlyList<Migration> Migrations { get; } = MigrationSource.Combine([Source, .. sources]);

    /// <summary>
    /// Takes the migration lock, checks that no applied migration has changed, applies each pending migration in
    /// version order in a transaction of its own (recording it in <c>schema_migrations</c>), and releases the lock.
    /// </summary>
    /// <returns>The versions this call applied; empty when the schema was already current.</returns>
    /// <exception cref="MigrationChecksumMismatchException">An applied migration's script has changed.</exception>
    public async Task<IReadOnlyList<int>> MigrateAsync(CancellationToken cancellationToken = default)
    {
        var migrations = Migrations;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        try
        {
            // Waits as long as another process is migrating; bounded only by the cancellation token.
            await ExecuteAsync(connection, "SELECT pg_advisory_lock(@key)", cancellationToken, Db.Bigint("key", AdvisoryLockKey));
            await ExecuteAsync(connection, CreateHistoryTable, cancellationToken);

            var applied = await ReadAppliedAsync(connection, cancellationToken);
            foreach (var migration in migrations)
            {
                if (applied.TryGetValue(migration.Version, out var checksum) && checksum != migration.Checksum)
                {
                    throw new MigrationChecksumMismatchException(migration, checksum);
                }
            }

            foreach (var version in applied.Keys.Except(migrations.Select(m => m.Version)))
            {
                LogUnknownVersion(version);
            }

            var done = new List<int>();
            foreach (var migration in migrations.Where(m => !applied.ContainsKey(m.Version)))
            {
                await ApplyAsync(connection, migration, cancellationToken);
                done.Add(migration.Version);
            }

            LogCurrent(migrations[^1].Version, done.Count);
            return done;
        }
        finally
        {
            await ReleaseLockAsync(connection);
        }
    }

    private async Task ApplyAsync(NpgsqlConnection connection, Migration migration, CancellationToken cancellationToken)
    {
        LogApplying(migration.ToString());
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await ExecuteAsync(connection, migration.Sql, cancellationToken);
        await ExecuteAsync(connection,
            "INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (@version, @name, @checksum, now())",
            cancellationToken,
            Db.Integer("version", migration.Version),
            Db.Text("name", migration.Name),
            Db.Text("checksum", migration.Checksum));
        await transaction.CommitAsync(cancellationToken);
    }

    private static async Task<Dictionary<int, string>> ReadAppliedAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var applied = new Dictionary<int, string>();
        await using var command = new NpgsqlCommand("SELECT version, checksum FROM schema_migrations", connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            applied.Add(reader.GetInt32(0), reader.GetString(1));
        }

        return applied;
    }

    private async Task ReleaseLockAsync(NpgsqlConnection connection)
    {
        try
        {
            // Unlocking a lock this session does not hold (the lock call failed) only draws a server warning.
            await ExecuteAsync(connection, "SELECT pg_advisory_unlock(@key)", CancellationToken.None, Db.Bigint("key", AdvisoryLockKey));
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException)
        {
            // A broken connection has lost its session, and with it the lock.
            LogUnlockFailed(ex);
        }
    }

    /// <summary>Runs a statement on the migration connection (in its transaction, if one is open), without a timeout.</summary>
    private static async Task ExecuteAsync(
        NpgsqlConnection connection, string sql, CancellationToken cancellationToken, params NpgsqlParameter[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        command.Parameters.AddRange(parameters);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Applying database migration {Migration}")]
    private partial void LogApplying(string migration);

    [LoggerMessage(Level = LogLevel.Information, Message = "Database schema is at version {Version} ({Applied} migrations applied now)")]
    private partial void LogCurrent(int version, int applied);

    [LoggerMessage(Level = LogLevel.Information, Message = "Database has migration {Version}, which this process does not carry: another library's (applied by the processes that use it) or a newer build's")]
    private partial void LogUnknownVersion(int version);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not release the migration lock; it goes with the connection's session")]
    private partial void LogUnlockFailed(Exception exception);
}
