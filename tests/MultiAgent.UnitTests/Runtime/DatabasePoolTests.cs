using MultiAgent.AgentRuntime;
using MultiAgent.Contracts;
using Npgsql;

namespace MultiAgent.UnitTests.Runtime;

/// <summary>An agent's PostgreSQL pool keeps a connection per task slot, named after the instance, unless the connection string says otherwise.</summary>
public sealed class DatabasePoolTests
{
    private static readonly AgentIdentity Coder = new(AgentType.Coder, "coder-7f3a");

    [Theory]
    [InlineData("Host=db", 4, 4)]
    [InlineData("Host=db", 0, 1)]
    [InlineData("Host=db;Minimum Pool Size=10", 4, 10)]
    [InlineData("Host=db;Maximum Pool Size=2", 4, 2)]
    public void The_pool_keeps_a_connection_per_task_slot_within_its_bounds(string connectionString, int slots, int kept)
    {
        var settings = new NpgsqlConnectionStringBuilder(connectionString);

        DatabasePool.Configure(settings, Coder, slots);

        Assert.Equal(kept, settings.MinPoolSize);
    }

    [Theory]
    [InlineData("Host=db", "coder-7f3a")]
    [InlineData("Host=db;Application Name=ops-console", "ops-console")]
    public void Connections_are_named_after_the_instance_unless_the_connection_string_names_them(string connectionString, string name)
    {
        var settings = new NpgsqlConnectionStringBuilder(connectionString);

        DatabasePool.Configure(settings, Coder, 4);

        Assert.Equal(name, settings.ApplicationName);
    }
}
