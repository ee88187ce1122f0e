using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MultiAgent.AgentRuntime.Events;
using MultiAgent.Contracts;
using MultiAgent.IntegrationTests.Infrastructure;
using MultiAgent.IntegrationTests.Messaging;
using MultiAgent.Messaging;
using MultiAgent.Persistence;
using MultiAgent.AgentRuntime.Tasks;
using NATS.Client.Core;
using NATS.Net;
using Npgsql;

namespace MultiAgent.IntegrationTests.Runtime;

/// <summary>
/// The outbox relay on the real servers: job events stored and never published (their writer found NATS away, or
/// died) reach the stream in the log's order, once, with their entry id as message id.
/// </summary>
[Collection(InfrastructureCollection.Name)]
public sealed class EventRelayTests(InfrastructureFixture infrastructure)
{
    [Fact]
    public async Task Stored_events_nobody_published_reach_the_stream_once_in_order_and_are_marked()
    {
        await using var bus = await TaskBusHarness.CreateAsync(infrastructure);
        await using var database = NpgsqlDataSource.Create(infrastructure.DatabaseConnectionString);
        await Persistence.TestSchema.Migrator(database).MigrateAsync();
        using var timeout = new CancellationTokenSource(TaskBusHarness.Timeout);
        var log = new EventLog(database);
        var jobId = "job-" + Guid.NewGuid().ToString("N")[..12];
        var created = await log.AppendAsync(jobId, new NewJobEvent(JobEventTypes.JobCreated, "accepted"), timeout.Token);
        var started = await log.AppendAsync(jobId, new NewJobEvent(JobEventTypes.TaskStarted, "Coder started", null, "task-1", AgentType.Coder), timeout.Token);
        var relay = new EventRelay(log, bus.Events(), Options.Create(new EventRelayOptions { RelayAfter = TimeSpan.Zero }), NullLogger<EventRelay>.Instance);

        // Everything waiting (other tests' entries too), until a round finds nothing.
        var relayed = 0;
        for (var round = await relay.RelayOnceAsync(timeout.Token); round > 0; round = await relay.RelayOnceAsync(timeout.Token))
        {
            relayed += round;
        }

        await using var stream = bus.Events().SubscribeAsync(jobId, timeout.Token).GetAsyncEnumerator(timeout.Token);
        var first = await TaskBusHarness.NextAsync(stream, "the relayed job.created");
        var second = await TaskBusHarness.NextAsync(stream, "the relayed task.started");
        var again = await bus.Events().PublishAsync(started.ToJobEvent(), timeout.Token);

        Assert.True(relayed >= 2, $"relayed {relayed}");
        Assert.Equal(created.ToJobEvent(), first);
        Assert.Equal(started.ToJobEvent(), second);
        Assert.Equal((AgentType?)AgentType.Coder, second.AgentType);
        Assert.True(again.IsDuplicate, "the same entry published again is stored once");
        Assert.DoesNotContain(await log.ReadUnpublishedAsync(10_000, TimeSpan.Zero, timeout.Token), e => e.JobId == jobId);
    }

    [Fact]
    public async Task The_writer_marks_what_it_published_and_leaves_to_the_relay_what_NATS_refused()
    {
        await using var bus = await TaskBusHarness.CreateAsync(infrastructure);
        await using var database = NpgsqlDataSource.Create(infrastructure.DatabaseConnectionString);
        await Persistence.TestSchema.Migrator(database).MigrateAsync();
        using var timeout = new CancellationTokenSource(TaskBusHarness.Timeout);
        var log = new EventLog(database);
        var jobs = new JobStore(database);
        var jobId = "job-" + Guid.NewGuid().ToString("N")[..12];
        var online = new JobTimeline(log, jobs, bus.Events(), NullLogger<JobTimeline>.Instance);
        // A writer whose NATS is away: nothing listens on port 1.
        await using var nowhere = new NatsConnection(new NatsOpts { Url = "nats://127.0.0.1:1", ConnectTimeout = TimeSpan.FromSeconds(1) });
        var offline = new JobTimeline(log, jobs, new EventPublisher(nowhere.CreateJetStreamContext(), NullLogger<EventPublisher>.Instance), NullLogger<JobTimeline>.Instance);

        await online.RecordAsync(jobId, JobEventTypes.JobCreated, "accepted", cancellationToken: timeout.Token);
        await offline.RecordAsync(jobId, JobEventTypes.TaskStarted, "Coder started", "task-1", AgentType.Coder, cancellationToken: timeout.Token);
        var waiting = (await log.ReadUnpublishedAsync(10_000, TimeSpan.Zero, timeout.Token)).Where(e => e.JobId == jobId).ToList();
        var relay = new EventRelay(log, bus.Events(), Options.Create(new EventRelayOptions { RelayAfter = TimeSpan.Zero }), NullLogger<EventRelay>.Instance);
        while (await relay.RelayOnceAsync(timeout.Token) > 0)
        {
        }

        var stored = await log.ReadAsync(jobId, cancellationToken: timeout.Token);
        await using var stream = bus.Events().SubscribeAsync(jobId, timeout.Token).GetAsyncEnumerator(timeout.Token);
        var first = await TaskBusHarness.NextAsync(stream, "the writer's own job.created");
        var second = await TaskBusHarness.NextAsync(stream, "the relayed task.started");

        Assert.Equal([JobEventTypes.TaskStarted], waiting.Select(e => e.Type));
        Assert.Equal([stored[0].ToJobEvent(), stored[1].ToJobEvent()], [first, second]);
        Assert.DoesNotContain(await log.ReadUnpublishedAsync(10_000, TimeSpan.Zero, timeout.Token), e => e.JobId == jobId);
    }
}
