using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MultiAgent.Contracts;
using MultiAgent.IntegrationTests.EndToEnd;
using MultiAgent.IntegrationTests.Infrastructure;
using MultiAgent.Messaging;
using NATS.Client.Core;
using NATS.Net;

namespace MultiAgent.SystemBenchmarks.Soak;

/// <summary>
/// The soak benchmark (./build.sh soak): the real topology of the end-to-end tests (AppHost, nats-server, PostgreSQL, the
/// three agents, with the test settings: short ack wait, quick retries), a model that answers from the request, jobs
/// submitted continuously on local repositories, and a chaos loop that kills a part every few minutes. Not a test: it
/// prints figures and exits 1 when a target is missed (a job lost, a duplicate, an agent growing 5 MB/h or more).
/// </summary>
internal static class SoakRun
{
    public static async Task<int> RunAsync(string[] args)
    {
        SoakOptions options;
        try
        {
            options = SoakOptions.Parse(args);
        }
        catch (ArgumentException ex)
        {
            Console.Error.WriteLine($"error: {ex.Message}");
            return 2;
        }

        var output = Console.Out;
        var model = new SoakModel();
        var system = new SystemFixture { ModelReplies = model };
        output.WriteLine($"starting the system (AppHost, nats-server, PostgreSQL, {string.Join(", ", AppHostFixture.Agents)})");
        await system.InitializeAsync();
        try
        {
            await using var client = await SystemClient.ConnectAsync(system);
            await using var nats = new NatsConnection(MultiAgent.Nats.NatsConnectionString.ToOptions(system.NatsUrl));
            await nats.ConnectAsync();

            using var stop = new CancellationTokenSource();
            var restarts = new ConcurrentDictionary<string, int>();
            var crashLoops = new ConcurrentDictionary<string, int>();
            var listening = Task.Run(async () =>
            {
                await foreach (var systemEvent in SystemEventStream.SubscribeAsync(nats, NullLogger.Instance, stop.Token))
                {
                    var counts = systemEvent.Type == SystemEventTypes.AgentCrashLoop ? crashLoops : restarts;
                    counts.AddOrUpdate(systemEvent.Resource, 1, (_, n) => n + 1);
                }
            });

            var clock = Stopwatch.StartNew();
            var memory = new MemorySampler(system, client.Queries, TimeProvider.System);
            var sampling = memory.RunAsync(stop.Token);
            using var stopChaos = new CancellationTokenSource();
            var chaos = new ChaosLoop(system, options, output);
            var killing = chaos.RunAsync(clock, stopChaos.Token);

            output.WriteLine($"running for {options.Duration.TotalMinutes:0.#} min: {options.Concurrency} jobs at a time" +
                (options.ChaosEvery > TimeSpan.Zero ? $", a kill every ~{options.ChaosEvery.TotalSeconds:0} s (seed {options.Seed})" : ", no kills"));
            await using var runner = await JobRunner.StartAsync(system, client, nats);
            var outcomes = new ConcurrentQueue<JobOutcome>();
            await Task.WhenAll(Enumerable.Range(0, options.Concurrency).Select(_ => Task.Run(async () =>
            {
                while (clock.Elapsed < options.Duration)
                {
                    var outcome = await runner.RunOneAsync();
                    outcomes.Enqueue(outcome);
                    if (!outcome.Ended || outcome.Status != JobStatus.Completed || outcome.Duplicates.Count > 0)
                    {
                        output.WriteLine($"[{clock.Elapsed:hh\\:mm\\:ss}] {outcome.JobId} {(outcome.Ended ? outcome.Status : "LOST")}: {outcome.Error} {string.Join(", ", outcome.Duplicates)}");
                    }
                    else if (outcomes.Count % 25 == 0)
                    {
                        output.WriteLine($"[{clock.Elapsed:hh\\:mm\\:ss}] {outcomes.Count} jobs ended");
                    }
                }
            })));

            await stopChaos.CancelAsync();
            await Ignore(killing);
            await memory.SampleAsync(CancellationToken.None);
            await stop.CancelAsync();
            await Ignore(sampling);
            await Ignore(listening);

            var report = new SoakReport(options, clock.Elapsed, [.. outcomes], chaos.Kills, restarts, crashLoops, model.Requests, memory.Samples);
            report.Print(output);
            return report.MissedTargets.Count == 0 ? 0 : 1;
        }
        finally
        {
            await system.DisposeAsync();
        }
    }

    public static async Task Ignore(Task task)
    {
        try
        {
            await task;
        }
        catch (OperationCanceledException)
        {
            // Stopped on purpose.
        }
    }
}
