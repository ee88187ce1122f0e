using Npgsql;

namespace Agents.RepoManager.Workflow;

/// <summary>
/// Serialises merges into one repository across every Repo Manager instance: a PostgreSQL session advisory lock keyed
/// by the repository, held while the merge runs. If the holder dies, its connection closes and the lock is released.
/// </summary>
public sealed class MergeGate(NpgsqlDataSource dataSource)
{
    /// <summary>Waits until no other merge into <paramref name="repositoryKey"/> runs, and holds the gate until disposed.</summary>
    public async Task<IAsyncDisposable> EnterAsync(string repositoryKey, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(repositoryKey);
        var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        try
        {
            await using var command = new NpgsqlCommand("SELECT pg_advisory_lock(hashtextextended(@key, 0))", connection);
            command.Parameters.AddWithValue("key", "multiagent-merge:" + repositoryKey);
            await command.ExecuteNonQueryAsync(cancellationToken);
            return new Held(connection);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private sealed class Held(NpgsqlConnection connection) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            // Closing the session releases its advisory locks; the pool resets the connection before reuse.
            await using (connection)
            {
                await using var command = new NpgsqlCommand("SELECT pg_advisory_unlock_all()", connection);
                await command.ExecuteNonQueryAsync();
            }
        }
    }
}
