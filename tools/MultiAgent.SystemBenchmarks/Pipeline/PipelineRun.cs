using System.Diagnostics;
using System.Globalization;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MultiAgent.Contracts;
using MultiAgent.IntegrationTests.EndToEnd;
using MultiAgent.IntegrationTests.Infrastructure;
using MultiAgent.Messaging;
using MultiAgent.SystemBenchmarks.Soak;
using NATS.Client.Core;
using NATS.Net;

namespace MultiAgent.SystemBenchmarks.Pipeline;

/// <summary>A process's memory: resident (RSS, every page it maps) and proportional (PSS, shared pages divided among their users).</summary>
public sealed record ProcessMemory(string Process, long ResidentBytes, long ProportionalBytes);

/// <summary>One system the benchmark starts: how many NATS nodes, how many Coder instances.</summary>
public sealed record Setup(int NatsNodes, int Coders);

/// <summary>One level's jobs: on which setup, how many jobs at once, how long they took together, and each job's timing.</summary>
public sealed record LevelResult(Setup Setup, int Concurrency, TimeSpan Elapsed, IReadOnlyList<JobTiming> Jobs, IReadOnlyList<string> Failures)
{
    // Each hand-off split (SlotWait): the Coder has Setup.Coders instances, the others one, each with the default slots.
    private readonly IReadOnlyList<(HandOff HandOff, double DeliveryMs)> _handOffs = SlotWait.Split(
        Jobs, agent => (agent == AgentType.Coder ? Setup.Coders : 1) * new MultiAgent.AgentRuntime.AgentRuntimeOptions().MaxConcurrentTasks);

    /// <summary>Each hand-off's delivery: the hand-off less its wait for a free slot (<see cref="SlotWait"/>).</summary>
    public IReadOnlyList<double> DeliveriesMs => [.. _handOffs.Select(h => h.DeliveryMs)];

    /// <summary>
    /// <paramref name="job"/>'s hand-offs' waits for a free slot together: time its follow-ups waited while the agents
    /// that take them were busy with other jobs' tasks (capacity), which its overhead includes.
    /// </summary>
    public double SlotWaitMs(JobTiming job) =>
        _handOffs.Where(h => h.HandOff.JobId == job.JobId).Sum(h => h.HandOff.Ms - h.DeliveryMs);

    /// <summary><paramref name="job"/>'s overhead less its <see cref="SlotWaitMs"/>: the system's own work and waits.</summary>
    public double OwnOverheadMs(JobTiming job) => Math.Max(0, job.OverheadMs - SlotWaitMs(job));
}

/// <summary>
/// The pipeline benchmark (./build.sh bench pipeline): the end-to-end topology (AppHost, nats-server, PostgreSQL, the
/// agents, the test settings) with an instant scripted model (the soak's: the Coder writes a file and finishes, the
/// Reviewer approves), jobs on generated local repositories at each concurrency, once per number of Coder instances
/// (competing consumers on the Coder's queue). Prints where each job's time went, jobs per minute, the floor measured on
/// the same servers, the overhead's ratio to it, and the processes' memory; exits 1 when a target is missed.
/// </summary>
internal static class PipelineRun
{
    /// <summary>The job's own work and waits (everything but model, check, git and waits for a free agent slot) within this many floors.</summary>
    public const double OverheadTarget = 5;

    /// <summary>A task's follow-up is running within this, at p99.</summary>
    public const double HandOffTargetMs = 20;

    public static async Task<int> RunAsync(string[] args)
    {
        PipelineOptions options;
        try
        {
            options = PipelineOptions.Parse(args);
        }
        catch (ArgumentException ex)
        {
            Console.Error.WriteLine($"error: {ex.Message}");
            return 2;
        }

        var output = Console.Out;
        output.WriteLine(Invariant($"pipeline benchmark: {options.Jobs} jobs per level, {string.Join("/", options.Concurrency)} at once, {string.Join(" and ", options.Coders)} Coder instance(s), {string.Join(" and ", options.NatsNodes)} NATS node(s); {Environment.ProcessorCount} cores"));
        var levels = new List<LevelResult>();
        var floors = new List<(Setup Setup, FloorFigures Floor)>();
        IReadOnlyList<ProcessMemory> memory = [];
        foreach (var setup in options.NatsNodes.SelectMany(nodes => options.Coders.Select(coders => new Setup(nodes, coders))))
        {
            var coders = setup.Coders;
            var system = new SystemFixture
            {
                ModelReplies = new SoakModel(),
                ExtraSettings = [$"--MultiAgent:Replicas:coder={coders}", $"--MultiAgent:Nats:ClusterSize={setup.NatsNodes}"],
            };
            output.WriteLine($"starting the system with {coders} Coder instance(s) and {setup.NatsNodes} NATS node(s)");
            await system.InitializeAsync();
            try
            {
                for (var replica = 2; replica <= coders; replica++)
                {
                    await system.App.ResourceNotifications.WaitForResourceHealthyAsync(AgentCatalogue.ResourceName(AgentCatalogue.Of(AgentType.Coder), replica));
                }

                await using var client = await SystemClient.ConnectAsync(system);
                await using var nats = new NatsConnection(MultiAgent.Nats.NatsConnectionString.ToOptions(system.NatsUrl));
                await nats.ConnectAsync();
                await using var runner = await JobRunner.StartAsync(system, client, nats);

                // A job per Coder instance first, at once, so that every level meets warm processes (the instances share
                // the Coder's queue, so each most likely takes one; a cold instance's first task compiles its code).
                await Task.WhenAll(Enumerable.Range(0, coders).Select(_ => runner.RunOneAsync()));
                var floor = await Floor.MeasureAsync(system, rounds: 200, streamReplicas: MultiAgent.Hosting.Local.LocalInfrastructureOptions.StreamReplicasFor(setup.NatsNodes), CancellationToken.None);
                floors.Add((setup, floor));
                output.WriteLine(Invariant($"  floor: JetStream round trip p50 {floor.JetStream.P50:0.00} ms (p99 {floor.JetStream.P99:0.00}), PostgreSQL commit p50 {floor.PostgresCommit.P50:0.00} ms (p99 {floor.PostgresCommit.P99:0.00}), git clone+push+merge p50 {floor.GitCycle.P50:0} ms"));
                foreach (var concurrency in options.Concurrency)
                {
                    var level = await RunLevelAsync(runner, client, setup, concurrency, options.Jobs);
                    levels.Add(level);
                    output.WriteLine(Invariant(
                        $"  {concurrency,2} at once: {level.Jobs.Count} completed, {level.Failures.Count} not, in {level.Elapsed.TotalSeconds:0.0} s"));
                    foreach (var failure in level.Failures.Take(5))
                    {
                        output.WriteLine("     " + failure);
                    }
                }

                if (memory.Count == 0)
                {
                    // Idle after the load: what the processes keep once the jobs are done.
                    await Task.Delay(TimeSpan.FromSeconds(10));
                    memory = Memory(system);
                }
            }
            finally
            {
                await system.DisposeAsync();
            }
        }

        var report = new PipelineReport(levels, floors, memory);
        report.Print(output);
        return report.MissedTargets.Count == 0 ? 0 : 1;
    }

    private static async Task<LevelResult> RunLevelAsync(JobRunner runner, SystemClient client, Setup setup, int concurrency, int jobs)
    {
        var left = jobs;
        var timings = new List<JobTiming>();
        var failures = new List<string>();
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            while (Interlocked.Decrement(ref left) >= 0)
            {
                var outcome = await runner.RunOneAsync();
                if (outcome is { Ended: true, Status: JobStatus.Completed } && outcome.Duplicates.Count == 0)
                {
                    var timing = await JobTiming.ReadAsync(client, outcome.JobId, CancellationToken.None);
                    lock (timings)
                    {
                        timings.Add(timing);
                    }
                }
                else
                {
                    lock (failures)
                    {
                        failures.Add($"{outcome.JobId} {(outcome.Ended ? outcome.Status : "LOST")}: {outcome.Error} {string.Join(", ", outcome.Duplicates)}");
                    }
                }
            }
        })));
        return new LevelResult(setup, concurrency, clock.Elapsed, timings, failures);
    }

    /// <summary>Memory of every resource's process (agents, servers) and of this one (the AppHost and the harness).</summary>
    private static List<ProcessMemory> Memory(SystemFixture system)
    {
        var model = system.App.Services.GetRequiredService<DistributedApplicationModel>();
        var sizes = new List<ProcessMemory>();
        foreach (var resource in model.Resources)
        {
            if (system.App.ResourceNotifications.TryGetCurrentState(resource.Name, out var state)
                && ResourceProcesses.IdOf(state.Snapshot) is { } pid
                && MemorySampler.ResidentBytes(pid) is { } bytes)
            {
                sizes.Add(new(resource.Name, bytes, MemorySampler.ProportionalBytes(pid) ?? bytes));
            }
        }

        var self = Environment.ProcessId;
        sizes.Add(new(MemorySampler.AppHost, MemorySampler.ResidentBytes(self) ?? 0, MemorySampler.ProportionalBytes(self) ?? 0));
        return sizes;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
