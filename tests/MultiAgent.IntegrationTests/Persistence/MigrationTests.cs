using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using MultiAgent.Llm;
using MultiAgent.Persistence;
using MultiAgent.Repositories.Local;
using MultiAgent.IntegrationTests.Infrastructure;
using Npgsql;

namespace MultiAgent.IntegrationTests.Persistence;

[Collection(InfrastructureCollection.Name)]
public sealed class MigrationTests(InfrastructureFixture infrastructure)
{
    private static readonly string[] Tables = ["schema_migrations", "jobs", "tasks", "job_events"];

    [Fact]
    public void The_embedded_migrations_start_at_0001_initial_and_are_numbered_without_gaps()
    {
        var migrations = TestSchema.AllMigrations;

        Assert.Equal("0001_initial", migrations[0].ToString());
        Assert.Equal(Enumerable.Range(1, migrations.Count), migrations.Select(m => m.Version));
        Assert.All(migrations, m => Assert.Equal(Migration.ChecksumOf(m.Sql), m.Checksum));
        Assert.Equal(Migration.ChecksumOf("a\nb\n"), Migration.ChecksumOf("a\r\nb\r\n"));
    }

    /// <summary>
    /// Databases migrated before the migrations moved to the libraries that own their tables keep working: every
    /// version keeps its name and its checksum, whichever assembly embeds it now.
    /// </summary>
    [Fact]
    public void Each_migration_keeps_its_version_name_and_checksum_in_the_library_that_owns_it()
    {
        Assert.Equal(
            [
                (1, "initial", "54d7ed40f20678d523a9273eaaa024b479bbcb1c3836ee5e29f7180666a27e8b"),
                (2, "local_pull_requests", "f587d2129f1584b13b2741d25fdd974eec2b35bd60bb623257734b0afcfe1b36"),
                (3, "task_transcripts", "12880d7d114436f2a2dabb3c15c048e4320b21e693b39631713f91bdf8d23204"),
                (4, "task_leases", "0f2477d3b1b216d54bda327368e7e9c9dfc814298d45e5e3106ddc7cc985ac2c"),
            ],
            TestSchema.Migrations.Take(4).Select(m => (m.Version, m.Name, m.Checksum)));
        Assert.Equal("MultiAgent.Persistence", DatabaseMigrator.Source.Owner);
        Assert.Equal([1, 4], DatabaseMigrator.Source.Migrations.Take(2).Select(m => m.Version));
        Assert.Equal("MultiAgent.Repositories", LocalPullRequestStore.Migrations.Owner);
        Assert.Equal([2], LocalPullRequestStore.Migrations.Migrations.Select(m => m.Version));
        Assert.Equal("MultiAgent.Llm", TranscriptStore.Migrations.Owner);
        Assert.Equal([3], TranscriptStore.Migrations.Migrations.Select(m => m.Version));
        Assert.Throws<InvalidOperationException>(() => MigrationSource.Combine(
            [DatabaseMigrator.Source, new MigrationSource("Other", [Migration.Create(2, "clash", "SELECT 1;")]), LocalPullRequestStore.Migrations]));
    }

    /// <summary>
    /// The Repo Manager carries no LLM layer: it applies the job store's and the pull requests' migrations and leaves
    /// the transcripts' to the Coder or the Reviewer, which apply it later without complaint.
    /// </summary>
    /// <summary>The libraries register their migrations with their services; the migrator finds them (once each).</summary>
    [Fact]
    public void AddLocalGitHost_and_AddLlm_register_their_migrations_for_the_migrator()
    {
        var configuration = new ConfigurationBuilder().Build();
        var carriesAll = new ServiceCollection().AddLogging().AddSingleton(_ => NpgsqlDataSource.Create("Host=localhost"))
            .AddJobStore().AddLocalGitHost(configuration).AddLlm(configuration).AddLocalGitHost(configuration);
        var repoManagerLike = new ServiceCollection().AddLogging().AddSingleton(_ => NpgsqlDataSource.Create("Host=localhost"))
            .AddJobStore().AddLocalGitHost(configuration);

        using var all = carriesAll.BuildServiceProvider();
        using var some = repoManagerLike.BuildServiceProvider();

        Assert.Equal([1, 2, 3, 4], all.GetRequiredService<DatabaseMigrator>().Migrations.Take(4).Select(m => m.Version));
        Assert.Equal(2, all.GetServices<MigrationSource>().Count());
        Assert.DoesNotContain(3, some.GetRequiredService<DatabaseMigrator>().Migrations.Select(m => m.Version));
    }

    [Fact]
    public async Task A_process_applies_the_migrations_of_the_libraries_it_carries_and_leaves_the_others()
    {
        await using var database = await ScratchDatabase.CreateAsync(infrastructure.DatabaseConnectionString);
        await using var source = database.CreateDataSource();

        var repoManager = await TestSchema.Migrator(source, LocalPullRequestStore.Migrations).MigrateAsync();
        var coder = await TestSchema.Migrator(source).MigrateAsync();
        var jobStoreOnly = await new DatabaseMigrator(source, NullLogger<DatabaseMigrator>.Instance, []).MigrateAsync();

        Assert.DoesNotContain(3, repoManager);
        Assert.Contains(2, repoManager);
        Assert.Equal([3], coder);
        Assert.Empty(jobStoreOnly);
        Assert.Equal(TestSchema.Migrations.Select(m => (m.Version, m.Name, m.Checksum)), await ReadHistoryAsync(source));
        Assert.True(await TableExistsAsync(source, "task_transcripts"));
        Assert.True(await TableExistsAsync(source, "local_pull_requests"));
    }

    [Fact]
    public async Task Three_migrators_started_together_apply_each_migration_exactly_once()
    {
        await using var database = await ScratchDatabase.CreateAsync(infrastructure.DatabaseConnectionString);
        NpgsqlDataSource[] sources = [database.CreateDataSource(), database.CreateDataSource(), database.CreateDataSource()];
        try
        {
            // Warm each "process's" pool so that all three reach the server at the same moment.
            foreach (var source in sources)
            {
                await using var connection = await source.OpenConnectionAsync();
            }

            var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var runs = sources.Select(source => Task.Run(async () =>
            {
                await go.Task;
                return await TestSchema.Migrator(source).MigrateAsync();
            })).ToArray();
            go.SetResult();
            var applied = await Task.WhenAll(runs);

            var expected = TestSchema.Migrations.Select(m => m.Version).ToArray();
            Assert.Equal(expected, applied.SelectMany(versions => versions).Order());
            Assert.Single(applied, versions => versions.Count > 0);

            var history = await ReadHistoryAsync(sources[0]);
            Assert.Equal(
                TestSchema.Migrations.Select(m => (m.Version, m.Name, m.Checksum)),
                history);
            foreach (var table in Tables)
            {
                Assert.True(await TableExistsAsync(sources[0], table), $"table {table} is missing");
            }

            await using var fourth = database.CreateDataSource();
            Assert.Empty(await TestSchema.Migrator(fourth).MigrateAsync());
            Assert.Equal(history, await ReadHistoryAsync(fourth));
        }
        finally
        {
            foreach (var source in sources)
            {
                await source.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task A_changed_checksum_is_refused_with_a_clear_message_and_the_lock_is_released()
    {
        await using var database = await ScratchDatabase.CreateAsync(infrastructure.DatabaseConnectionString);
        await using var source = database.CreateDataSource();
        var migrator = TestSchema.Migrator(source);
        await migrator.MigrateAsync();
        await using (var tamper = source.CreateCommand("UPDATE schema_migrations SET checksum = 'edited' WHERE version = 1"))
        {
            Assert.Equal(1, await tamper.ExecuteNonQueryAsync());
        }

        var error = await Assert.ThrowsAsync<MigrationChecksumMismatchException>(() => migrator.MigrateAsync());

        Assert.Equal(1, error.Version);
        Assert.Equal("edited", error.AppliedChecksum);
        Assert.Equal(TestSchema.Migrations[0].Checksum, error.ExpectedChecksum);
        Assert.Contains("Migration 0001_initial was applied with checksum edited", error.Message, StringComparison.Ordinal);
        Assert.Contains("must never be edited", error.Message, StringComparison.Ordinal);

        // The failed run's connection sits in its pool; had it kept the lock, another session could not take it.
        await using var other = database.CreateDataSource();
        await using var probe = other.CreateCommand("SELECT pg_try_advisory_lock(@key)");
        probe.Parameters.AddWithValue("key", DatabaseMigrator.AdvisoryLockKey);
        Assert.True((bool)(await probe.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task AddJobStore_migrates_while_the_host_starts_and_resolves_the_stores()
    {
        await using var database = await ScratchDatabase.CreateAsync(infrastructure.DatabaseConnectionString);
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddLogging();
        builder.Services.AddSingleton(_ => NpgsqlDataSource.Create(database.ConnectionString));
        builder.Services.AddJobStore().AddJobStore();

        using (var host = builder.Build())
        {
            Assert.Single(host.Services.GetServices<IHostedService>().OfType<MigrationHostedService>());
            await host.StartAsync();
            var source = host.Services.GetRequiredService<NpgsqlDataSource>();
            foreach (var table in Tables)
            {
                Assert.True(await TableExistsAsync(source, table), $"table {table} is missing after start");
            }

            Assert.Same(host.Services.GetRequiredService<JobStore>(), host.Services.GetRequiredService<JobStore>());
            Assert.NotNull(host.Services.GetRequiredService<TaskStore>());
            Assert.NotNull(host.Services.GetRequiredService<EventLog>());
            await host.StopAsync();
        }
    }

    private static async Task<List<(int Version, string Name, string Checksum)>> ReadHistoryAsync(NpgsqlDataSource source)
    {
        var rows = new List<(int, string, string)>();
        await using var command = source.CreateCommand("SELECT version, name, checksum FROM schema_migrations ORDER BY version");
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add((reader.GetInt32(0), reader.GetString(1), reader.GetString(2)));
        }

        return rows;
    }

    private static async Task<bool> TableExistsAsync(NpgsqlDataSource source, string table)
    {
        await using var command = source.CreateCommand("SELECT to_regclass(@table) IS NOT NULL");
        command.Parameters.AddWithValue("table", table);
        return (bool)(await command.ExecuteScalarAsync())!;
    }
}
