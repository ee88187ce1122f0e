using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using MultiAgent.Contracts;
using MultiAgent.Messaging;
using MultiAgent.IntegrationTests.Infrastructure;
using NATS.Client.Core;
using NATS.Client.JetStream;

namespace MultiAgent.IntegrationTests.Messaging;

[Collection(InfrastructureCollection.Name)]
public sealed class TaskConsumerTests(InfrastructureFixture infrastructure)
{
    [Fact]
    public async Task Two_consumers_of_one_agent_type_share_a_batch_without_overlap()
    {
        const int count = 20;
        await using var bus = await TaskBusHarness.CreateAsync(infrastructure);
        using var timeout = new CancellationTokenSource(TaskBusHarness.Timeout);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token);
        var received = new ConcurrentDictionary<string, int>();
        var instances = new[] { await bus.ConnectAsync(), await bus.ConnectAsync() }
            .Select(js => bus.Consumer(js))
            .ToArray();

        var workers = instances.Select((consumer, index) => Task.Run(async () =>
        {
            var mine = new List<(string Id, ulong NumDelivered)>();
            try
            {
                await foreach (var delivery in consumer.ConsumeAsync(AgentType.Coder, stop.Token))
                {
                    Assert.True(delivery.IsValid, delivery.Violation?.Message);
                    mine.Add((delivery.Envelope.Id, delivery.NumDelivered));

                    // A little work per task, as a real agent would do: the other instance gets to pull meanwhile.
                    await Task.Delay(TimeSpan.FromMilliseconds(50), stop.Token);
                    await delivery.AckAsync(stop.Token);
                    received.AddOrUpdate(delivery.Envelope.Id, 1, (_, n) => n + 1);
                    if (received.Count >= count)
                    {
                        await stop.CancelAsync();
                    }
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
            }

            return mine;
        })).ToArray();

        // Both instances have a pull request waiting before the batch arrives.
        await TaskQueues.WaitForPullsAsync(bus.Js, AgentType.Coder, 2, TaskBusHarness.Timeout, "both consumers to be waiting for tasks");
        var ids = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var envelope = TaskBusHarness.Envelope(AgentType.Coder, id: $"split-{i:00}");
            ids.Add(envelope.Id);
            await bus.Publisher().PublishAsync(envelope, timeout.Token);
        }

        var results = await Task.WhenAll(workers);

        Assert.False(timeout.IsCancellationRequested, $"timed out with {received.Count} of {count} tasks received");
        Assert.All(results, mine => Assert.NotEmpty(mine));
        var all = results.SelectMany(mine => mine).ToList();
        Assert.Equal(ids.Order(StringComparer.Ordinal), all.Select(d => d.Id).Order(StringComparer.Ordinal));
        Assert.All(all, d => Assert.Equal(1UL, d.NumDelivered));
        await Eventually.ReturnsAsync(
            ct => bus.MessageCountAsync(Subjects.TasksStream, ct), n => n == 0, TaskBusHarness.Timeout,
            "every acked task to leave the work-queue stream");
    }

    [Fact]
    public async Task A_consumer_busy_with_one_task_does_not_hold_back_the_others()
    {
        // AckWait longer than the test's timeout: only the consumer's small pull batch can let the second instance work.
        await using var bus = await TaskBusHarness.CreateAsync(infrastructure, options => options.AckWait = TimeSpan.FromMinutes(2));
        using var timeout = new CancellationTokenSource(TaskBusHarness.Timeout);
        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            var envelope = TaskBusHarness.Envelope(AgentType.Coder, id: $"busy-{i}");
            ids.Add(envelope.Id);
            await bus.Publisher().PublishAsync(envelope, timeout.Token);
        }

        await using var busy = bus.Consumer(await bus.ConnectAsync()).ConsumeAsync(AgentType.Coder, timeout.Token).GetAsyncEnumerator(timeout.Token);
        var held = await TaskBusHarness.NextAsync(busy, "the busy instance's task");
        await using var idle = bus.Consumer(await bus.ConnectAsync()).ConsumeAsync(AgentType.Coder, timeout.Token).GetAsyncEnumerator(timeout.Token);
        var others = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            var delivery = await TaskBusHarness.NextAsync(idle, $"task {i + 1} of 4 for the idle instance");
            others.Add(delivery.Envelope!.Id);
            await delivery.AckAsync(timeout.Token);
        }

        await held.AckAsync(timeout.Token);
        Assert.Equal(ids.Order(StringComparer.Ordinal), others.Append(held.Envelope!.Id).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task NakAsync_redelivers_after_the_delay_with_NumDelivered_2()
    {
        await using var bus = await TaskBusHarness.CreateAsync(infrastructure);
        using var timeout = new CancellationTokenSource(TaskBusHarness.Timeout);
        var envelope = TaskBusHarness.Envelope(AgentType.Coder);
        await bus.Publisher().PublishAsync(envelope, timeout.Token);
        await using var deliveries = bus.Consumer().ConsumeAsync(AgentType.Coder, timeout.Token).GetAsyncEnumerator(timeout.Token);

        var first = await TaskBusHarness.NextAsync(deliveries, "the first delivery");
        var delay = TimeSpan.FromSeconds(1);
        var clock = Stopwatch.StartNew();
        await first.NakAsync(delay, timeout.Token);
        var second = await TaskBusHarness.NextAsync(deliveries, "the redelivery");
        clock.Stop();

        Assert.Equal(1UL, first.NumDelivered);
        Assert.Equal(2UL, second.NumDelivered);
        Assert.Equal(envelope.Id, second.Envelope?.Id);
        Assert.Equal(first.StreamSequence, second.StreamSequence);
        Assert.True(clock.Elapsed >= delay - TimeSpan.FromMilliseconds(100), $"redelivered after {clock.Elapsed.TotalMilliseconds:0} ms");
        await second.AckAsync(timeout.Token);
    }

    [Fact]
    public async Task AckAsync_removes_the_task_from_the_work_queue()
    {
        await using var bus = await TaskBusHarness.CreateAsync(infrastructure);
        using var timeout = new CancellationTokenSource(TaskBusHarness.Timeout);
        await bus.Publisher().PublishAsync(TaskBusHarness.Envelope(AgentType.RepoManager), timeout.Token);
        Assert.Equal(1, await bus.MessageCountAsync(Subjects.TasksStream, timeout.Token));
        await using var deliveries = bus.Consumer().ConsumeAsync(AgentType.RepoManager, timeout.Token).GetAsyncEnumerator(timeout.Token);

        var delivery = await TaskBusHarness.NextAsync(deliveries, "the task");
        await delivery.InProgressAsync(timeout.Token);
        await delivery.AckAsync(timeout.Token);

        await Eventually.ReturnsAsync(
            ct => bus.MessageCountAsync(Subjects.TasksStream, ct), n => n == 0, TaskBusHarness.Timeout,
            "the acked task to leave the work-queue stream");
    }

    [Fact]
    public async Task TermAsync_stops_redelivery_and_removes_the_task()
    {
        await using var bus = await TaskBusHarness.CreateAsync(infrastructure);
        using var timeout = new CancellationTokenSource(TaskBusHarness.Timeout);
        await bus.Publisher().PublishAsync(TaskBusHarness.Envelope(AgentType.Coder), timeout.Token);
        await using var deliveries = bus.Consumer().ConsumeAsync(AgentType.Coder, timeout.Token).GetAsyncEnumerator(timeout.Token);

        var delivery = await TaskBusHarness.NextAsync(deliveries, "the task");
        await delivery.TermAsync(timeout.Token);

        await Eventually.ReturnsAsync(
            ct => bus.MessageCountAsync(Subjects.TasksStream, ct), n => n == 0, TaskBusHarness.Timeout,
            "the terminated task to leave the work-queue stream");
        var info = (await bus.Js.GetConsumerAsync(Subjects.TasksStream, Subjects.DurableConsumer(AgentType.Coder), timeout.Token)).Info;
        Assert.Equal(0, info.NumAckPending);
        Assert.Equal(0UL, info.NumPending);
    }

    [Fact]
    public async Task A_malformed_message_is_delivered_with_a_violation_and_the_next_task_still_arrives()
    {
        await using var bus = await TaskBusHarness.CreateAsync(infrastructure);
        using var timeout = new CancellationTokenSource(TaskBusHarness.Timeout);
        var garbage = Encoding.UTF8.GetBytes("{\"id\": \"broken\", this is not json");
        await bus.Js.PublishAsync(Subjects.Tasks(AgentType.Coder), garbage, NatsRawSerializer<byte[]>.Default, cancellationToken: timeout.Token);
        var valid = TaskBusHarness.Envelope(AgentType.Coder);
        await bus.Publisher().PublishAsync(valid, timeout.Token);
        await using var deliveries = bus.Consumer().ConsumeAsync(AgentType.Coder, timeout.Token).GetAsyncEnumerator(timeout.Token);

        var bad = await TaskBusHarness.NextAsync(deliveries, "the malformed message");
        Assert.False(bad.IsValid);
        Assert.Null(bad.Envelope);
        Assert.Equal(ContractViolationReason.MalformedJson, bad.Violation?.Reason);
        Assert.Equal(garbage, bad.RawData.ToArray());
        Assert.Null(bad.MessageId);
        await bad.TermAsync(timeout.Token);

        var good = await TaskBusHarness.NextAsync(deliveries, "the valid task after the malformed one");
        Assert.True(good.IsValid, good.Violation?.Message);
        Assert.Equal(valid.Id, good.Envelope.Id);
        await good.AckAsync(timeout.Token);
    }

    [Fact]
    public async Task A_message_over_MaxPayloadBytes_or_for_another_agent_is_delivered_with_a_violation()
    {
        await using var bus = await TaskBusHarness.CreateAsync(infrastructure, options => options.MaxPayloadBytes = 4096);
        using var timeout = new CancellationTokenSource(TaskBusHarness.Timeout);
        var oversized = MessageSerializer.Serialize(TaskBusHarness.Envelope(AgentType.Coder, description: new string('x', 5000)));
        var misaddressed = TaskBusHarness.Envelope(AgentType.Reviewer);
        var subject = Subjects.Tasks(AgentType.Coder);
        await bus.Js.PublishAsync(subject, oversized, NatsRawSerializer<byte[]>.Default, cancellationToken: timeout.Token);
        await bus.Js.PublishAsync(subject, MessageSerializer.Serialize(misaddressed), NatsRawSerializer<byte[]>.Default, cancellationToken: timeout.Token);
        await using var deliveries = bus.Consumer().ConsumeAsync(AgentType.Coder, timeout.Token).GetAsyncEnumerator(timeout.Token);

        var tooLarge = await TaskBusHarness.NextAsync(deliveries, "the oversized message");
        Assert.Equal(ContractViolationReason.MalformedJson, tooLarge.Violation?.Reason);
        Assert.Contains("4096", tooLarge.Violation?.Message, StringComparison.Ordinal);
        Assert.Null(tooLarge.Envelope);
        Assert.Equal(oversized.Length, tooLarge.RawData.Length);
        await tooLarge.TermAsync(timeout.Token);

        var wrongAgent = await TaskBusHarness.NextAsync(deliveries, "the misaddressed envelope");
        Assert.False(wrongAgent.IsValid);
        Assert.Equal(ContractViolationReason.TypeMismatch, wrongAgent.Violation?.Reason);
        Assert.Equal(misaddressed.Id, wrongAgent.Envelope?.Id);
        await wrongAgent.TermAsync(timeout.Token);
    }
}
