using Npgsql;

namespace MultiAgent.IntegrationTests.Persistence;

/// <summary>A fresh, empty database on the fixture's PostgreSQL server, dropped on dispose.</summary>
internal sealed class ScratchDatabase : IAsyncDisposable
{
    private readonly string _serverConnectionString;

    private ScratchDatabase(string serverConnectionString, string name)
    {
        _serverConnectionString = serverConnectionString;
        Name = name;
        ConnectionString = new NpgsqlConnectionStringBuilder(serverConnectionString) { Database = name }.ConnectionString;
    }

    public string Name { get; }

    public string ConnectionString { get; }

    public static async Task<ScratchDatabase> CreateAsync(string serverConnectionString)
    {
        var database = new ScratchDatabase(serverConnectionString, $"mig_{Guid.NewGuid():N}");
        // A database name cannot be a parameter; this one is generated from a GUID.
        await database.ExecuteOnServerAsync($"CREATE DATABASE \"{database.Name}\"");
        return database;
    }

    public NpgsqlDataSource CreateDataSource() => NpgsqlDataSource.Create(ConnectionString);

    public async ValueTask DisposeAsync() =>
        await ExecuteOnServerAsync($"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)");

    private async Task ExecuteOnServerAsync(string sql)
    {
        var builder = new NpgsqlConnectionStringBuilder(_serverConnectionString) { Pooling = false };
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
