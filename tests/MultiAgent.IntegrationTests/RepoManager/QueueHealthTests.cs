using Agents.RepoManager.Health;
using Agents.RepoManager.Registry;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MultiAgent.Contracts;
using MultiAgent.IntegrationTests.Infrastructure;
using MultiAgent.IntegrationTests.Messaging;
using NATS.Client.Core;
using NATS.Net;
using Npgsql;

namespace MultiAgent.IntegrationTests.RepoManager;

/// <summary>The system's health names an agent type whose queue is full: tasks handed out and never acknowledged.</summary>
[Collection(InfrastructureCollection.Name)]
public sealed class QueueHealthTests(InfrastructureFixture fixture)
{
    [Fact]
    public async Task A_queue_whose_handed_out_tasks_are_all_unacknowledged_makes_health_503_naming_it()
    {
        await using var bus = await TaskBusHarness.CreateAsync(fixture, options => options.MaxAckPending = 2);
        using var timeout = new CancellationTokenSource(TaskBusHarness.Timeout);
        foreach (var id in new[] { "stuck-1", "stuck-2", "waiting-3" })
        {
            await bus.Publisher().PublishAsync(TaskBusHarness.Envelope(AgentType.Reviewer, id), timeout.Token);
        }

        // An instance that takes two tasks and never answers for them (stuck, or crashing on each).
        await using var held = bus.Consumer().ConsumeAsync(AgentType.Reviewer, timeout.Token).GetAsyncEnumerator(timeout.Token);
        await TaskBusHarness.NextAsync(held, "the first task");
        await TaskBusHarness.NextAsync(held, "the second task");

        await using var nats = new NatsConnection(new NatsOpts { Url = fixture.NatsUrl });
        await nats.ConnectAsync();
        await using var database = NpgsqlDataSource.Create(fixture.DatabaseConnectionString);
        using var monitor = new DependencyMonitor(nats, nats.CreateJetStreamContext(), database, NullLogger<DependencyMonitor>.Instance);
        await monitor.StartAsync(timeout.Token);
        var seen = await Eventually.ReturnsAsync(
            _ => Task.FromResult(monitor.Current), s => s.Queues?.Any(q => q.Agent == "reviewer" && q.IsFull) == true,
            TaskBusHarness.Timeout, "the monitor to see the Reviewer's queue full");
        await monitor.StopAsync(CancellationToken.None);

        var registry = new AgentRegistry(null!, Options.Create(new AgentRegistryOptions()), NullLogger<AgentRegistry>.Instance);
        var report = SystemHealthEndpoints.BuildReport(registry, seen, DateTimeOffset.UtcNow);

        Assert.Contains(report.Problems, p => p.StartsWith(
            "the reviewer task queue is full: 2 of 2 tasks handed out are unacknowledged, 1 more wait", StringComparison.Ordinal));
        Assert.Equal("Unhealthy", report.Status);
        var reviewer = Assert.Single(report.Dependencies.Nats.Queues!, q => q.Agent == "reviewer");
        Assert.Equal((1L, 2L, 2L), (reviewer.Waiting, reviewer.HandedOut, reviewer.MaxHandedOut));
        Assert.All(report.Dependencies.Nats.Queues!.Where(q => q.Agent != "reviewer"), q => Assert.False(q.IsFull));
    }
}
