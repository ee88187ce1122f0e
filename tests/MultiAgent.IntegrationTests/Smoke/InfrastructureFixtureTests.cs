using MultiAgent.IntegrationTests.Infrastructure;
using NATS.Client.Core;
using Npgsql;

namespace MultiAgent.IntegrationTests.Smoke;

[Collection(InfrastructureCollection.Name)]
public sealed class InfrastructureFixtureTests(InfrastructureFixture infrastructure)
{
    [Fact]
    public async Task Nats_has_jetstream_and_postgres_has_the_system_database()
    {
        await using var nats = new NatsConnection(new NatsOpts { Url = infrastructure.NatsUrl });
        await nats.ConnectAsync();
        Assert.True(nats.ServerInfo?.JetStreamAvailable);

        await using var connection = new NpgsqlConnection(infrastructure.DatabaseConnectionString);
        await connection.OpenAsync();
        Assert.Equal("multiagent", connection.Database);
    }
}
