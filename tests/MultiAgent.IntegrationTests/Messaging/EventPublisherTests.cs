using System.Text.Json;
using MultiAgent.Contracts;
using MultiAgent.IntegrationTests.Infrastructure;
using NATS.Client.Core;
using NATS.Client.JetStream;

namespace MultiAgent.IntegrationTests.Messaging;

[Collection(InfrastructureCollection.Name)]
public sealed class EventPublisherTests(InfrastructureFixture infrastructure)
{
    private static readonly DateTimeOffset At = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task SubscribeAsync_delivers_the_events_of_one_job_and_not_another_jobs()
    {
        await using var bus = await TaskBusHarness.CreateAsync(infrastructure);
        using var timeout = new CancellationTokenSource(TaskBusHarness.Timeout);
        var events = bus.Events();
        using var data = JsonDocument.Parse("""{"url":"https://github.com/acme/widgets/pull/17"}""");
        var created = new JobEvent("job-a", JobEventTypes.JobCreated, "accepted", At);
        var opened = new JobEvent("job-a", JobEventTypes.PullRequestOpened, "PR #17", At.AddSeconds(1), "task-1", AgentType.Coder, data.RootElement.Clone());
        var other = new JobEvent("job-b", JobEventTypes.JobCreated, "someone else's", At.AddSeconds(2));
        var completed = new JobEvent("job-a", JobEventTypes.JobCompleted, "done", At.AddSeconds(3));

        // Published before the subscription: a job's retained history is replayed first.
        await events.PublishAsync(created, timeout.Token);
        await using var stream = events.SubscribeAsync("job-a", timeout.Token).GetAsyncEnumerator(timeout.Token);
        var first = await TaskBusHarness.NextAsync(stream, "the replayed job.created event");
        await events.PublishAsync(opened, timeout.Token);
        await events.PublishAsync(other, timeout.Token);
        await events.PublishAsync(completed, timeout.Token);
        var second = await TaskBusHarness.NextAsync(stream, "the live pr.opened event");
        var third = await TaskBusHarness.NextAsync(stream, "the live job.completed event");

        Assert.Equal(created, first);
        Assert.Equal(opened with { Data = null }, second with { Data = null });
        Assert.Equal(data.RootElement.GetRawText(), second.Data?.GetRawText());

        // Events arrive in stream order, so job-b's event (published before job.completed) would have come second or third.
        Assert.Equal(completed, third);
    }

    [Fact]
    public async Task SubscribeAsync_without_a_job_delivers_every_jobs_events()
    {
        await using var bus = await TaskBusHarness.CreateAsync(infrastructure);
        using var timeout = new CancellationTokenSource(TaskBusHarness.Timeout);
        var events = bus.Events();
        var a = new JobEvent("job-a", JobEventTypes.TaskStarted, "started", At, "task-1", AgentType.Reviewer);
        var b = new JobEvent("job-b", JobEventTypes.JobFailed, "failed", At.AddSeconds(1));
        await events.PublishAsync(a, timeout.Token);
        await events.PublishAsync(b, timeout.Token);

        await using var stream = events.SubscribeAsync(null, timeout.Token).GetAsyncEnumerator(timeout.Token);

        Assert.Equal(a, await TaskBusHarness.NextAsync(stream, "job-a's event"));
        Assert.Equal(b, await TaskBusHarness.NextAsync(stream, "job-b's event"));
    }

    [Fact]
    public async Task Events_are_published_on_the_job_subject_with_the_type_mapped_to_one_token()
    {
        await using var bus = await TaskBusHarness.CreateAsync(infrastructure);
        using var timeout = new CancellationTokenSource(TaskBusHarness.Timeout);
        var deadLettered = new JobEvent("job-c", JobEventTypes.TaskDeadLettered, "gave up", At, "task-2", AgentType.Coder);

        var outcome = await bus.Events().PublishAsync(deadLettered, timeout.Token);

        Assert.Equal(Subjects.EventsStream, outcome.Stream);
        var consumer = await bus.Js.CreateOrderedConsumerAsync(Subjects.EventsStream, cancellationToken: timeout.Token);
        var message = await consumer.NextAsync(NatsRawSerializer<byte[]>.Default, cancellationToken: timeout.Token);
        Assert.NotNull(message);
        Assert.Equal("multiagent.events.job-c.task_dead_lettered", message.Subject);
        Assert.Equal(deadLettered, MessageSerializer.DeserializeMessage<JobEvent>(message.Data));
    }

    [Fact]
    public async Task A_job_id_that_is_not_a_subject_token_is_refused()
    {
        await using var bus = await TaskBusHarness.CreateAsync(infrastructure);
        using var timeout = new CancellationTokenSource(TaskBusHarness.Timeout);

        await Assert.ThrowsAsync<ArgumentException>(() =>
            bus.Events().PublishAsync(new JobEvent("job.x", JobEventTypes.JobCreated, "m", At), timeout.Token));
        await Assert.ThrowsAsync<ArgumentException>(async () =>
        {
            await foreach (var _ in bus.Events().SubscribeAsync("job *", timeout.Token))
            {
            }
        });
    }
}
