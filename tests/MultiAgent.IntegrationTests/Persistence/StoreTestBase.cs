using Microsoft.Extensions.Logging.Abstractions;
using MultiAgent.Persistence;
using MultiAgent.IntegrationTests.Infrastructure;
using Npgsql;

namespace MultiAgent.IntegrationTests.Persistence;

/// <summary>
/// Stores on the fixture's system database (migrated, one pool for the collection), with a manual clock.
/// Tests use GUID-based ids and repositories, so they never see each other's rows.
/// </summary>
public abstract class StoreTestBase(InfrastructureFixture infrastructure) : IAsyncLifetime
{
    private protected static readonly DateTimeOffset Start = new(2030, 1, 2, 3, 4, 5, TimeSpan.Zero);

    private NpgsqlDataSource? _dataSource;

    private protected ManualTimeProvider Clock { get; } = new(Start);

    protected NpgsqlDataSource DataSource => _dataSource ?? throw new InvalidOperationException("Not initialised.");

    public async Task InitializeAsync() => _dataSource = await infrastructure.MigratedDatabaseAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    protected static string NewId(string prefix) => $"{prefix}-{Guid.NewGuid():N}";

    /// <summary>One column of one row, read back raw (to check what the database really holds).</summary>
    protected async Task<T> ScalarAsync<T>(string sql, string id)
    {
        await using var command = DataSource.CreateCommand(sql);
        command.Parameters.AddWithValue("id", id);
        return (T)(await command.ExecuteScalarAsync() ?? throw new InvalidOperationException($"No row for {id}."));
    }
}
