using MultiAgent.Contracts;
using MultiAgent.Messaging;
using MultiAgent.Secrets;
using MultiAgent.IntegrationTests.Infrastructure;
using NATS.Client.JetStream;

namespace MultiAgent.IntegrationTests.Messaging;

[Collection(InfrastructureCollection.Name)]
public sealed class TaskPublisherTests(InfrastructureFixture infrastructure)
{
    [Fact]
    public async Task The_same_envelope_published_twice_is_stored_and_delivered_once()
    {
        await using var bus = await TaskBusHarness.CreateAsync(infrastructure);
        using var timeout = new CancellationTokenSource(TaskBusHarness.Timeout);
        var envelope = TaskBusHarness.Envelope(AgentType.Coder);
        var publisher = bus.Publisher();

        var first = await publisher.PublishAsync(envelope, timeout.Token);
        var second = await publisher.PublishAsync(envelope, timeout.Token);

        Assert.False(first.IsDuplicate);
        Assert.True(second.IsDuplicate);
        Assert.Equal(Subjects.TasksStream, first.Stream);
        Assert.Equal(first.Sequence, second.Sequence);
        Assert.Equal(1, await bus.MessageCountAsync(Subjects.TasksStream, timeout.Token));

        await using var deliveries = bus.Consumer().ConsumeAsync(AgentType.Coder, timeout.Token).GetAsyncEnumerator(timeout.Token);
        var delivery = await TaskBusHarness.NextAsync(deliveries, "the task");
        Assert.True(delivery.IsValid, delivery.Violation?.Message);
        Assert.Equal(envelope.Id, delivery.Envelope.Id);
        Assert.Equal(envelope.Id, delivery.MessageId);
        Assert.Equal(Subjects.Tasks(AgentType.Coder), delivery.Subject);
        Assert.Equal(1UL, delivery.NumDelivered);
        Assert.Equal(first.Sequence, delivery.StreamSequence);
        await delivery.AckAsync(timeout.Token);

        // Nothing else is waiting for or held by the consumer: there is no second copy to deliver.
        var info = (await bus.Js.GetConsumerAsync(Subjects.TasksStream, Subjects.DurableConsumer(AgentType.Coder), timeout.Token)).Info;
        Assert.Equal(0UL, info.NumPending);
        Assert.Equal(1UL, info.Delivered.ConsumerSeq);
        await Eventually.ReturnsAsync(
            ct => bus.MessageCountAsync(Subjects.TasksStream, ct), count => count == 0, TaskBusHarness.Timeout,
            "the acked task to leave the work-queue stream");
    }

    [Fact]
    public async Task Tasks_go_to_the_subject_of_the_agent_they_are_addressed_to()
    {
        await using var bus = await TaskBusHarness.CreateAsync(infrastructure);
        using var timeout = new CancellationTokenSource(TaskBusHarness.Timeout);
        var envelope = TaskBusHarness.Envelope(AgentType.Reviewer);

        await bus.Publisher().PublishAsync(envelope, timeout.Token);

        await using var deliveries = bus.Consumer().ConsumeAsync(AgentType.Reviewer, timeout.Token).GetAsyncEnumerator(timeout.Token);
        var delivery = await TaskBusHarness.NextAsync(deliveries, "the reviewer's task");
        Assert.Equal(Subjects.Tasks(AgentType.Reviewer), delivery.Subject);
        Assert.Equal(envelope.Id, delivery.Envelope?.Id);
        await delivery.AckAsync(timeout.Token);
        var coder = (await bus.Js.GetConsumerAsync(Subjects.TasksStream, Subjects.DurableConsumer(AgentType.Coder), timeout.Token)).Info;
        Assert.Equal(0UL, coder.NumPending);
        Assert.Equal(0UL, coder.Delivered.ConsumerSeq);
    }

    [Fact]
    public async Task An_envelope_over_MaxPayloadBytes_is_refused_and_not_published()
    {
        await using var bus = await TaskBusHarness.CreateAsync(infrastructure, options => options.MaxPayloadBytes = 4096);
        using var timeout = new CancellationTokenSource(TaskBusHarness.Timeout);
        var small = TaskBusHarness.Envelope(AgentType.Coder, description: new string('x', 1000));
        var large = TaskBusHarness.Envelope(AgentType.Coder, description: new string('x', 5000));

        await bus.Publisher().PublishAsync(small, timeout.Token);
        var ex = await Assert.ThrowsAsync<PayloadTooLargeException>(() => bus.Publisher().PublishAsync(large, timeout.Token));

        Assert.Equal(4096, ex.MaxBytes);
        Assert.Equal(MessageSerializer.Serialize(large).Length, ex.SizeBytes);
        Assert.Contains(large.Id, ex.Message, StringComparison.Ordinal);
        Assert.Equal(1, await bus.MessageCountAsync(Subjects.TasksStream, timeout.Token));
    }

    [Fact]
    public async Task Publishing_without_a_tasks_stream_fails_instead_of_pretending()
    {
        await using var bus = await TaskBusHarness.CreateAsync(infrastructure);
        await bus.DeleteStreamsAsync();
        using var timeout = new CancellationTokenSource(TaskBusHarness.Timeout);

        await Assert.ThrowsAnyAsync<NatsJSException>(() => bus.Publisher().PublishAsync(TaskBusHarness.Envelope(AgentType.Coder), timeout.Token));
    }

    [Fact]
    public async Task Secrets_in_a_tasks_payload_and_in_a_job_event_are_masked_before_they_reach_nats()
    {
        await using var bus = await TaskBusHarness.CreateAsync(infrastructure);
        using var timeout = new CancellationTokenSource(TaskBusHarness.Timeout);
        const string secret = "nats-secret-value-8";
        var redactor = new SecretRedactor([secret]);
        var publisher = new TaskPublisher(bus.Js, Microsoft.Extensions.Options.Options.Create(bus.Options), redactor);
        var events = new EventPublisher(bus.Js, Microsoft.Extensions.Logging.Abstractions.NullLogger<EventPublisher>.Instance, redactor);
        var jobId = "job-" + Guid.NewGuid().ToString("N")[..12];
        var envelope = TaskBusHarness.Envelope(AgentType.Coder, description: $"use {secret}", jobId: jobId);

        await publisher.PublishAsync(envelope, timeout.Token);
        await events.PublishAsync(
            new JobEvent(jobId, JobEventTypes.JobFailed, $"failed: {secret}", DateTimeOffset.UtcNow,
                Data: System.Text.Json.JsonSerializer.SerializeToElement(new { output = secret })),
            timeout.Token);

        await using var deliveries = bus.Consumer().ConsumeAsync(AgentType.Coder, timeout.Token).GetAsyncEnumerator(timeout.Token);
        var delivery = await TaskBusHarness.NextAsync(deliveries, "the task");
        Assert.Equal("use ***", MessageSerializer.Unwrap<ImplementationRequest>(delivery.Envelope!).Description);
        await using var stream = events.SubscribeAsync(jobId, timeout.Token).GetAsyncEnumerator(timeout.Token);
        var published = await TaskBusHarness.NextAsync(stream, "the event");
        Assert.Equal("failed: ***", published.Message);
        Assert.Equal("""{"output":"***"}""", published.Data?.GetRawText());
    }
}
