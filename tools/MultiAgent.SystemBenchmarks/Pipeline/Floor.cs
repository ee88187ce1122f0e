using MultiAgent.IntegrationTests.Infrastructure;
using MultiAgent.IntegrationTests.Repositories.Local;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using NATS.Net;
using Npgsql;

namespace MultiAgent.SystemBenchmarks.Pipeline;

/// <summary>The floor's three figures, each a set of samples in milliseconds.</summary>
public sealed record FloorFigures(Samples JetStream, Samples PostgresCommit, Samples GitCycle)
{
    /// <summary>One of each, at the median: what a job could not do without.</summary>
    public double Milliseconds => JetStream.P50 + PostgresCommit.P50 + GitCycle.P50;
}

/// <summary>
/// What the pipeline cannot go below on this machine, measured on the same servers as the jobs: a JetStream round trip
/// as the task bus makes one (publish with its acknowledgement, pull, double ack) on a file-backed stream; a
/// PostgreSQL commit of one row; and the git work of one job done by hand (clone, commit, push a branch; clone again,
/// merge it, push main), on a repository like the jobs'.
/// </summary>
public static class Floor
{
    /// <param name="streamReplicas">Copies the floor's stream keeps: as many as the system's streams (a cluster's, at most 3).</param>
    public static async Task<FloorFigures> MeasureAsync(SystemFixture system, int rounds, int streamReplicas, CancellationToken cancellationToken)
    {
        return new FloorFigures(
            await JetStreamAsync(system, rounds, streamReplicas, cancellationToken),
            await PostgresAsync(system, rounds, cancellationToken),
            await GitAsync(Math.Max(3, rounds / 20), cancellationToken));
    }

    private static async Task<Samples> JetStreamAsync(SystemFixture system, int rounds, int streamReplicas, CancellationToken cancellationToken)
    {
        const string stream = "BENCH_FLOOR";
        await using var nats = new NatsConnection(MultiAgent.Nats.NatsConnectionString.ToOptions(system.NatsUrl));
        var js = nats.CreateJetStreamContext();
        await js.CreateStreamAsync(new StreamConfig(stream, ["bench.floor"]) { Storage = StreamConfigStorage.File, NumReplicas = streamReplicas }, cancellationToken);
        try
        {
            var consumer = await js.CreateOrUpdateConsumerAsync(
                stream, new ConsumerConfig("bench-floor") { AckPolicy = ConsumerConfigAckPolicy.Explicit }, cancellationToken);
            var payload = new byte[512];
            return await Samples.TimeAsync(rounds, async () =>
            {
                (await js.PublishAsync("bench.floor", payload, cancellationToken: cancellationToken)).EnsureSuccess();
                var message = await consumer.NextAsync<byte[]>(cancellationToken: cancellationToken)
                    ?? throw new InvalidOperationException("the floor's message did not come back");
                await message.AckAsync(new AckOpts { DoubleAck = true }, cancellationToken);
            });
        }
        finally
        {
            await js.DeleteStreamAsync(stream, CancellationToken.None);
        }
    }

    private static async Task<Samples> PostgresAsync(SystemFixture system, int rounds, CancellationToken cancellationToken)
    {
        await using var database = NpgsqlDataSource.Create(system.DatabaseConnectionString);
        await using (var create = database.CreateCommand("CREATE TABLE bench_floor (id bigserial PRIMARY KEY, at timestamptz NOT NULL, note text)"))
        {
            await create.ExecuteNonQueryAsync(cancellationToken);
        }

        try
        {
            return await Samples.TimeAsync(rounds, async () =>
            {
                await using var insert = database.CreateCommand("INSERT INTO bench_floor (at, note) VALUES (now(), 'floor')");
                await insert.ExecuteNonQueryAsync(cancellationToken);
            });
        }
        finally
        {
            await using var drop = database.CreateCommand("DROP TABLE bench_floor");
            await drop.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    private static async Task<Samples> GitAsync(int rounds, CancellationToken cancellationToken)
    {
        using var sandbox = new GitSandbox();
        var repository = (await sandbox.CreateRepositoryAsync("floor")).LocalPath!;
        var round = 0;
        return await Samples.TimeAsync(rounds, async () =>
        {
            cancellationToken.ThrowIfCancellationRequested();
            var n = ++round;
            var work = Path.Combine(sandbox.Root, $"work-{n}");
            var merge = Path.Combine(sandbox.Root, $"merge-{n}");
            await sandbox.RunAsync(sandbox.Root, "clone", "--quiet", repository, work);
            await sandbox.RunAsync(work, "checkout", "--quiet", "-b", $"floor-{n}");
            await File.WriteAllTextAsync(Path.Combine(work, $"floor-{n}.txt"), $"floor change {n}\n", cancellationToken);
            await sandbox.RunAsync(work, "add", "--all");
            await sandbox.RunAsync(work, "commit", "--quiet", "-m", $"Floor change {n}");
            await sandbox.RunAsync(work, "push", "--quiet", "origin", $"floor-{n}");
            await sandbox.RunAsync(sandbox.Root, "clone", "--quiet", repository, merge);
            await sandbox.RunAsync(merge, "merge", "--quiet", "--no-ff", "-m", $"Merge floor-{n}", $"origin/floor-{n}");
            await sandbox.RunAsync(merge, "push", "--quiet", "origin", "main");
        });
    }
}
