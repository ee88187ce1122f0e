using Npgsql;

namespace MultiAgent.AgentRuntime;

/// <summary>
/// An agent keeps as many PostgreSQL connections in its pool as it runs tasks at once, opened when it starts: a task's
/// start (its claim in the task store) then never waits for a new server connection, which costs the server a process
/// and an authentication (60–120 ms measured on a busy 2-core machine, against a fraction of a millisecond from the pool).
/// A connection string that asks for more (<c>Minimum Pool Size</c>) keeps its own figure.
/// </summary>
internal static class DatabasePool
{
    /// <summary>
    /// Keeps at least <paramref name="slots"/> connections in the pool (never more than its maximum) and names them after
    /// the instance (PostgreSQL's <c>pg_stat_activity.application_name</c>) unless the connection string names them.
    /// </summary>
    public static void Configure(NpgsqlConnectionStringBuilder settings, AgentIdentity identity, int slots)
    {
        settings.MinPoolSize = Math.Min(Math.Max(settings.MinPoolSize, Math.Max(1, slots)), settings.MaxPoolSize);
        if (string.IsNullOrEmpty(settings.ApplicationName))
        {
            settings.ApplicationName = identity.InstanceId;
        }
    }

    /// <summary>Opens the pool's minimum of connections, holding them all open together, and hands them back to it.</summary>
    public static async Task FillAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        var minimum = new NpgsqlConnectionStringBuilder(dataSource.ConnectionString).MinPoolSize;
        var opened = new List<NpgsqlConnection>(minimum);
        try
        {
            // Each held open while the next opens: one handed back at once would be reused by the next.
            while (opened.Count < minimum)
            {
                opened.Add(await dataSource.OpenConnectionAsync(cancellationToken));
            }
        }
        finally
        {
            foreach (var connection in opened)
            {
                await connection.DisposeAsync();
            }
        }
    }
}
