using Microsoft.Extensions.Logging.Abstractions;
using MultiAgent.Llm;
using MultiAgent.Notifications.Delivery;
using MultiAgent.Persistence;
using MultiAgent.Repositories.Local;
using Npgsql;

namespace MultiAgent.IntegrationTests.Persistence;

/// <summary>The whole schema, as a process that carries every library (the Coder, the Reviewer) migrates it.</summary>
internal static class TestSchema
{
    /// <summary>The other libraries' migrations: the local-git pull requests and the transcripts.</summary>
    public static MigrationSource[] Sources => [LocalPullRequestStore.Migrations, TranscriptStore.Migrations];

    /// <summary>
    /// Every migration of every library in version order, the Repo Manager's notification deliveries included (the
    /// numbers are shared by all libraries).
    /// </summary>
    public static IReadOnlyList<Migration> AllMigrations => MigrationSource.Combine([DatabaseMigrator.Source, .. Sources, DeliveryStore.Migrations]);

    /// <summary>Every migration of the libraries above in version order.</summary>
    public static IReadOnlyList<Migration> Migrations => MigrationSource.Combine([DatabaseMigrator.Source, .. Sources]);

    public static DatabaseMigrator Migrator(NpgsqlDataSource dataSource, params MigrationSource[] sources) =>
        new(dataSource, NullLogger<DatabaseMigrator>.Instance, sources.Length == 0 ? Sources : sources);
}
