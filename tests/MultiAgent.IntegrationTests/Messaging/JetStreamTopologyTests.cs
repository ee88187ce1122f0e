using MultiAgent.Contracts;
using MultiAgent.Messaging;
using MultiAgent.IntegrationTests.Infrastructure;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;

namespace MultiAgent.IntegrationTests.Messaging;

[Collection(InfrastructureCollection.Name)]
public sealed class JetStreamTopologyTests(InfrastructureFixture infrastructure)
{
    [Fact]
    public async Task EnsureAsync_creates_the_streams_and_one_durable_consumer_per_agent_type()
    {
        await using var bus = await TaskBusHarness.CreateAsync(infrastructure, options =>
        {
            options.AckWait = TimeSpan.FromSeconds(42);
            options.MaxAckPending = 7;
            options.DuplicateWindow = TimeSpan.FromMinutes(3);
        });

        await AssertTopologyAsync(bus.Js, bus.Options);
    }

    [Fact]
    public async Task EnsureAsync_is_idempotent_and_keeps_the_messages()
    {
        await using var bus = await TaskBusHarness.CreateAsync(infrastructure);
        using var timeout = new CancellationTokenSource(TaskBusHarness.Timeout);
        await bus.Publisher().PublishAsync(TaskBusHarness.Envelope(AgentType.Coder), timeout.Token);

        await bus.Topology().EnsureAsync(timeout.Token);
        await bus.Topology().EnsureAsync(timeout.Token);

        await AssertTopologyAsync(bus.Js, bus.Options);
        Assert.Equal(1, await bus.MessageCountAsync(Subjects.TasksStream, timeout.Token));
    }

    [Fact]
    public async Task Three_concurrent_EnsureAsync_calls_from_three_connections_all_succeed()
    {
        await using var bus = await TaskBusHarness.CreateAsync(infrastructure);
        await bus.DeleteStreamsAsync();
        var contexts = new[] { await bus.ConnectAsync(), await bus.ConnectAsync(), await bus.ConnectAsync() };
        using var timeout = new CancellationTokenSource(TaskBusHarness.Timeout);

        await Task.WhenAll(contexts.Select(js => Task.Run(() => bus.Topology(js).EnsureAsync(timeout.Token))));

        await AssertTopologyAsync(bus.Js, bus.Options);
    }

    [Fact]
    public async Task EnsureAsync_updates_a_stream_and_a_consumer_created_with_other_settings()
    {
        await using var bus = await TaskBusHarness.CreateAsync(infrastructure);
        await bus.DeleteStreamsAsync();
        using var timeout = new CancellationTokenSource(TaskBusHarness.Timeout);
        var staleEvents = JetStreamTopology.StreamConfigs(bus.Options).Single(s => s.Name == Subjects.EventsStream);
        staleEvents.MaxAge = TimeSpan.FromHours(1);
        // As made before system events shared the stream.
        staleEvents.Subjects = [Subjects.EventsAll];
        await bus.Js.CreateStreamAsync(staleEvents, timeout.Token);
        var staleTasks = JetStreamTopology.StreamConfigs(bus.Options).Single(s => s.Name == Subjects.TasksStream);
        await bus.Js.CreateStreamAsync(staleTasks, timeout.Token);
        var staleConsumer = JetStreamTopology.ConsumerConfigFor(AgentType.Reviewer, bus.Options);
        staleConsumer.AckWait = TimeSpan.FromSeconds(5);
        staleConsumer.MaxAckPending = 3;
        await bus.Js.CreateOrUpdateConsumerAsync(Subjects.TasksStream, staleConsumer, timeout.Token);

        await bus.Topology().EnsureAsync(timeout.Token);

        await AssertTopologyAsync(bus.Js, bus.Options);
    }

    [Theory]
    [InlineData(10058, "stream name already in use with a different configuration")]
    [InlineData(10065, "subjects overlap with an existing stream")]
    [InlineData(10013, "consumer name already in use")]
    [InlineData(10148, "consumer already exists")]
    public async Task EnsureAsync_retries_a_create_that_lost_a_race_to_another_process(int errCode, string description)
    {
        await using var bus = await TaskBusHarness.CreateAsync(infrastructure);
        await bus.DeleteStreamsAsync();
        var (racing, proxy) = RacingJetStream.Wrap(bus.Js, new ApiError { Code = 400, ErrCode = errCode, Description = description });
        using var timeout = new CancellationTokenSource(TaskBusHarness.Timeout);

        await bus.Topology(racing).EnsureAsync(timeout.Token);

        Assert.Equal(6, proxy.Calls.Count);
        Assert.All(proxy.Calls.Values, calls => Assert.Equal(2, calls));
        await AssertTopologyAsync(bus.Js, bus.Options);
    }

    [Fact]
    public async Task EnsureAsync_does_not_retry_other_errors()
    {
        await using var bus = await TaskBusHarness.CreateAsync(infrastructure);
        var (failing, proxy) = RacingJetStream.Wrap(bus.Js, new ApiError { Code = 500, ErrCode = 10047, Description = "insufficient storage resources available" });
        using var timeout = new CancellationTokenSource(TaskBusHarness.Timeout);

        var ex = await Assert.ThrowsAsync<NatsJSApiException>(() => bus.Topology(failing).EnsureAsync(timeout.Token));

        Assert.Equal(10047, ex.Error.ErrCode);
        Assert.Equal(1, Assert.Single(proxy.Calls).Value);
    }

    [Fact]
    public async Task A_task_for_an_undeclared_agent_is_refused_and_a_full_task_stream_refuses_new_tasks_keeping_the_queued_ones()
    {
        await using var bus = await TaskBusHarness.CreateAsync(infrastructure, options => options.StreamMaxBytes = 64 * 1024);
        using var timeout = new CancellationTokenSource(TaskBusHarness.Timeout);

        await Assert.ThrowsAnyAsync<NatsException>(async () =>
            await bus.Js.PublishAsync("multiagent.tasks.nobody", new byte[] { 1 }, cancellationToken: timeout.Token));
        var published = 0;
        var refused = await Assert.ThrowsAsync<NatsJSApiException>(async () =>
        {
            while (true)
            {
                await bus.Publisher().PublishAsync(TaskBusHarness.Envelope(AgentType.Coder, description: new string('x', 4000)), timeout.Token);
                published++;
            }
        });

        Assert.InRange(published, 10, 20);
        Assert.Contains("maximum bytes", refused.Error.Description, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(published, await bus.MessageCountAsync(Subjects.TasksStream, timeout.Token));
    }

    private static async Task AssertTopologyAsync(INatsJSContext js, TaskBusOptions options)
    {
        using var timeout = new CancellationTokenSource(TaskBusHarness.Timeout);
        var tasks = (await js.GetStreamAsync(Subjects.TasksStream, cancellationToken: timeout.Token)).Info;
        Assert.Equal(StreamConfigRetention.Workqueue, tasks.Config.Retention);
        Assert.Equal(StreamConfigStorage.File, tasks.Config.Storage);
        Assert.Equal(["multiagent.tasks.coder", "multiagent.tasks.repomanager", "multiagent.tasks.reviewer"], tasks.Config.Subjects!.Order(StringComparer.Ordinal));
        Assert.Equal(options.DuplicateWindow, tasks.Config.DuplicateWindow);
        Assert.Equal((options.StreamMaxBytes, StreamConfigDiscard.New), (tasks.Config.MaxBytes, tasks.Config.Discard));

        var events = (await js.GetStreamAsync(Subjects.EventsStream, cancellationToken: timeout.Token)).Info;
        Assert.Equal(StreamConfigRetention.Limits, events.Config.Retention);
        Assert.Equal(["multiagent.events.>", "multiagent.system.>"], events.Config.Subjects);
        Assert.Equal(TimeSpan.FromDays(7), events.Config.MaxAge);
        Assert.Equal(options.DuplicateWindow, events.Config.DuplicateWindow);
        Assert.Equal((options.StreamMaxBytes, StreamConfigDiscard.Old), (events.Config.MaxBytes, events.Config.Discard));

        var deadLetters = (await js.GetStreamAsync(Subjects.DeadLetterStream, cancellationToken: timeout.Token)).Info;
        Assert.Equal(StreamConfigRetention.Limits, deadLetters.Config.Retention);
        Assert.Equal(["multiagent.deadletter.coder", "multiagent.deadletter.repomanager", "multiagent.deadletter.reviewer"], deadLetters.Config.Subjects!.Order(StringComparer.Ordinal));
        Assert.Equal(TimeSpan.FromDays(30), deadLetters.Config.MaxAge);
        Assert.Equal((options.StreamMaxBytes, StreamConfigDiscard.Old), (deadLetters.Config.MaxBytes, deadLetters.Config.Discard));

        var consumerNames = new List<string>();
        await foreach (var name in js.ListConsumerNamesAsync(Subjects.TasksStream, timeout.Token))
        {
            consumerNames.Add(name);
        }

        Assert.Equal(
            Enum.GetValues<AgentType>().Select(Subjects.DurableConsumer).Order(StringComparer.Ordinal),
            consumerNames.Order(StringComparer.Ordinal));
        foreach (var agent in Enum.GetValues<AgentType>())
        {
            var config = (await js.GetConsumerAsync(Subjects.TasksStream, Subjects.DurableConsumer(agent), timeout.Token)).Info.Config;
            Assert.Equal(Subjects.DurableConsumer(agent), config.DurableName);
            Assert.Equal(Subjects.Tasks(agent), config.FilterSubject);
            Assert.Equal(ConsumerConfigAckPolicy.Explicit, config.AckPolicy);
            Assert.Equal(options.AckWait, config.AckWait);
            Assert.Equal(options.MaxAckPending, config.MaxAckPending);
            Assert.Equal(-1, config.MaxDeliver);
        }
    }
}
