using MultiAgent.Contracts;
using MultiAgent.Messaging;
using MultiAgent.IntegrationTests.Infrastructure;
using NATS.Client.Core;
using NATS.Client.JetStream;

namespace MultiAgent.IntegrationTests.Messaging;

[Collection(InfrastructureCollection.Name)]
public sealed class DeadLetterPublisherTests(InfrastructureFixture infrastructure)
{
    [Fact]
    public async Task The_raw_bytes_land_on_the_dead_letter_stream_with_the_reason_and_ids()
    {
        await using var bus = await TaskBusHarness.CreateAsync(infrastructure);
        using var timeout = new CancellationTokenSource(TaskBusHarness.Timeout);
        byte[] raw = [0x7B, 0x00, 0xFF, 0xFE, (byte)'x', 0x0A, 0x7D]; // not even UTF-8

        var outcome = await bus.DeadLetters().PublishAsync(
            AgentType.Reviewer, raw, "gave up after 5 attempts:\r\nboom", "task-7", "job-3", timeout.Token);

        Assert.False(outcome.IsDuplicate);
        Assert.Equal(Subjects.DeadLetterStream, outcome.Stream);
        var message = await ReadAsync(bus, outcome.Sequence, timeout.Token);
        Assert.Equal(Subjects.DeadLetter(AgentType.Reviewer), message.Subject);
        Assert.Equal(raw, message.Data);
        var headers = message.Headers!;
        Assert.Equal("gave up after 5 attempts:  boom", headers[DeadLetterHeaders.Reason].ToString());
        Assert.Equal("task-7", headers[DeadLetterHeaders.TaskId].ToString());
        Assert.Equal("job-3", headers[DeadLetterHeaders.JobId].ToString());
        Assert.Equal(Subjects.Tasks(AgentType.Reviewer), headers[DeadLetterHeaders.OriginalSubject].ToString());
        Assert.False(headers.ContainsKey(DeadLetterHeaders.OriginalSize));
        Assert.Equal("dlq-reviewer-task-task-7", headers["Nats-Msg-Id"].ToString());
    }

    [Fact]
    public async Task Dead_lettering_the_same_task_twice_stores_it_once()
    {
        await using var bus = await TaskBusHarness.CreateAsync(infrastructure);
        using var timeout = new CancellationTokenSource(TaskBusHarness.Timeout);
        byte[] raw = [1, 2, 3];

        var first = await bus.DeadLetters().PublishAsync(AgentType.Coder, raw, "first", "task-9", null, timeout.Token);
        var again = await bus.DeadLetters().PublishAsync(AgentType.Coder, raw, "second", "task-9", null, timeout.Token);
        var anonymous = await bus.DeadLetters().PublishAsync(AgentType.Coder, raw, "no id", null, null, timeout.Token);
        var anonymousAgain = await bus.DeadLetters().PublishAsync(AgentType.Coder, raw, "no id", null, null, timeout.Token);
        var toAnotherAgent = await bus.DeadLetters().PublishAsync(AgentType.Reviewer, raw, "first", "task-9", null, timeout.Token);

        Assert.False(first.IsDuplicate);
        Assert.True(again.IsDuplicate);
        Assert.False(anonymous.IsDuplicate);
        Assert.True(anonymousAgain.IsDuplicate);
        Assert.False(toAnotherAgent.IsDuplicate, "the same task sent to another agent is its own dead letter");
        Assert.Equal(3, await bus.MessageCountAsync(Subjects.DeadLetterStream, timeout.Token));
        var stored = await ReadAsync(bus, anonymous.Sequence, timeout.Token);
        Assert.False(stored.Headers!.ContainsKey(DeadLetterHeaders.TaskId));
        Assert.StartsWith("dlq-coder-data-sha256-", stored.Headers["Nats-Msg-Id"].ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Data_over_MaxPayloadBytes_is_truncated_and_the_original_size_recorded()
    {
        await using var bus = await TaskBusHarness.CreateAsync(infrastructure, options => options.MaxPayloadBytes = 2048);
        using var timeout = new CancellationTokenSource(TaskBusHarness.Timeout);
        var raw = Enumerable.Range(0, 5000).Select(i => (byte)i).ToArray();

        var outcome = await bus.DeadLetters().PublishAsync(AgentType.Coder, raw, "too large", "task-big", "job-1", timeout.Token);

        var message = await ReadAsync(bus, outcome.Sequence, timeout.Token);
        Assert.Equal(raw[..2048], message.Data);
        Assert.Equal("5000", message.Headers![DeadLetterHeaders.OriginalSize].ToString());
    }

    [Fact]
    public void Message_ids_come_from_the_task_id_or_from_a_hash_of_the_data()
    {
        Assert.Equal("dlq-coder-task-abc_1", DeadLetterPublisher.MessageIdFor(AgentType.Coder, "abc_1", [1]));
        Assert.Equal("dlq-repomanager-task-abc_1", DeadLetterPublisher.MessageIdFor(AgentType.RepoManager, "abc_1", [1]));
        Assert.Equal(DeadLetterPublisher.MessageIdFor(AgentType.Coder, null, [1, 2]), DeadLetterPublisher.MessageIdFor(AgentType.Coder, " ", [1, 2]));
        Assert.NotEqual(DeadLetterPublisher.MessageIdFor(AgentType.Coder, null, [1, 2]), DeadLetterPublisher.MessageIdFor(AgentType.Coder, null, [2, 1]));
        var odd = DeadLetterPublisher.MessageIdFor(AgentType.Coder, "id with spaces\n", []);
        Assert.StartsWith("dlq-coder-task-sha256-", odd, StringComparison.Ordinal);
        Assert.Equal(odd, DeadLetterPublisher.MessageIdFor(AgentType.Coder, "id with spaces\n", [9]));
    }

    private static async Task<INatsJSMsg<byte[]>> ReadAsync(TaskBusHarness bus, ulong sequence, CancellationToken cancellationToken)
    {
        var consumer = await bus.Js.CreateOrderedConsumerAsync(
            Subjects.DeadLetterStream,
            new NatsJSOrderedConsumerOpts { DeliverPolicy = NATS.Client.JetStream.Models.ConsumerConfigDeliverPolicy.ByStartSequence, OptStartSeq = sequence },
            cancellationToken);
        var message = await consumer.NextAsync(NatsRawSerializer<byte[]>.Default, cancellationToken: cancellationToken);
        Assert.NotNull(message);
        return message;
    }
}
