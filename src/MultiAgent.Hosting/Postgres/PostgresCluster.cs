using Microsoft.Extensions.Logging;
using MultiAgent.Hosting.Local;
using Npgsql;

namespace MultiAgent.Hosting.Postgres;

/// <summary>
/// The on-disk side of the local PostgreSQL server: its password, the one-time initdb, and database creation.
/// </summary>
internal sealed class PostgresCluster(LocalInfrastructureOptions options, string binDirectory, ServiceAccount account)
{
    private string DataDirectory => options.PostgresDataDirectory;

    /// <summary>
    /// The superuser password: generated once and kept beside the cluster (mode 0600), because the cluster
    /// only knows the password it was initialised with.
    /// </summary>
    public string ReadOrCreatePassword() => LocalSecret.ReadOrCreate(options.PostgresPasswordFile);

    public bool IsInitialized => File.Exists(Path.Combine(DataDirectory, "PG_VERSION"));

    /// <summary>Runs initdb when the data folder holds no cluster yet.</summary>
    public async Task InitializeIfMissingAsync(string password, ILogger logger, CancellationToken cancellationToken)
    {
        if (IsInitialized)
        {
            return;
        }

        Directory.CreateDirectory(DataDirectory);
        if (Directory.EnumerateFileSystemEntries(DataDirectory).Any())
        {
            throw new LocalPrerequisiteException(
                $"'{DataDirectory}' is not empty but holds no PostgreSQL cluster (no PG_VERSION). Move it away and start again.");
        }

        var passwordFile = Path.Combine(options.DataRoot, $".initdb-{Guid.NewGuid():N}");
        await File.WriteAllTextAsync(passwordFile, password, cancellationToken);
        try
        {
            RestrictToOwner(passwordFile);
            await account.TakeOwnershipAsync(DataDirectory, cancellationToken);
            await account.TakeOwnershipAsync(passwordFile, cancellationToken);
            await account.EnsureCanReachAsync(DataDirectory, cancellationToken);

            logger.LogInformation("Creating a PostgreSQL cluster in {DataDirectory}", DataDirectory);
            var initdb = Path.Combine(binDirectory, "initdb");
            var result = await ProcessRunner.RunAsync(
                account.Command(initdb),
                [.. account.Prefix(initdb), "--pgdata", DataDirectory, "--username", PostgresServerProcessResource.SuperUser,
                 "--pwfile", passwordFile, "--auth", "scram-sha-256", "--encoding", "UTF8", "--no-instructions"],
                cancellationToken);
            if (result.ExitCode != 0)
            {
                throw new LocalPrerequisiteException($"initdb failed with exit code {result.ExitCode}: {result.Output.Trim()}");
            }
        }
        finally
        {
            File.Delete(passwordFile);
        }
    }

    private static void RestrictToOwner(string path)
    {
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }

    /// <summary>Creates each database that does not exist yet.</summary>
    public static async Task CreateDatabasesAsync(
        string serverConnectionString, IEnumerable<string> databaseNames, ILogger logger, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(serverConnectionString)
        {
            Database = "postgres",
            Pooling = false,
        }.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        foreach (var database in databaseNames)
        {
            await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = @name", connection);
            exists.Parameters.AddWithValue("name", database);
            if (await exists.ExecuteScalarAsync(cancellationToken) is not null)
            {
                continue;
            }

            // CREATE DATABASE takes no parameters; the name is quoted as an identifier.
            var quoted = "\"" + database.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
            await using var create = new NpgsqlCommand($"CREATE DATABASE {quoted}", connection);
            await create.ExecuteNonQueryAsync(cancellationToken);
            logger.LogInformation("Created database {Database}", database);
        }
    }
}
