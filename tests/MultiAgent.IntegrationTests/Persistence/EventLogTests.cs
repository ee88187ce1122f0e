using System.Text.Json;
using MultiAgent.Contracts;
using MultiAgent.Persistence;
using MultiAgent.IntegrationTests.Infrastructure;

namespace MultiAgent.IntegrationTests.Persistence;

[Collection(InfrastructureCollection.Name)]
public sealed class EventLogTests(InfrastructureFixture infrastructure) : StoreTestBase(infrastructure)
{
    private EventLog Log => new(DataSource, Clock);

    [Fact]
    public async Task Events_are_read_back_in_append_order_and_after_an_id()
    {
        var jobId = NewId("job");
        var otherJob = NewId("job");
        using var data = JsonDocument.Parse("""{"pullRequest":7,"labels":["x"]}""");

        var first = await Log.AppendAsync(jobId, "job.created", "Job accepted");
        await Log.AppendAsync(otherJob, "job.created", "Another job");
        Clock.Advance(TimeSpan.FromSeconds(1));
        var second = await Log.AppendAsync(jobId, "pr.opened", "Opened PR #7", data.RootElement);
        var third = await Log.AppendAsync(jobId, "review.requested", "");

        var all = await Log.ReadAsync(jobId);
        var afterFirst = await Log.ReadAsync(jobId, first);

        Assert.True(first < second && second < third);
        Assert.Equal([first, second, third], all.Select(e => e.Id));
        Assert.Equal(["job.created", "pr.opened", "review.requested"], all.Select(e => e.Type));
        Assert.All(all, e => Assert.Equal(jobId, e.JobId));
        Assert.Equal("Job accepted", all[0].Message);
        Assert.Null(all[0].Data);
        Assert.Equal(Start, all[0].CreatedAt);
        Assert.True(JsonElement.DeepEquals(data.RootElement, all[1].Data!.Value));
        Assert.Equal(Start.AddSeconds(1), all[1].CreatedAt);
        Assert.Equal([second, third], afterFirst.Select(e => e.Id));
        Assert.Empty(await Log.ReadAsync(jobId, third));
        Assert.Empty(await Log.ReadAsync(NewId("job")));
    }

    [Fact]
    public async Task An_entry_waits_for_the_relay_until_it_is_marked_published_and_keeps_its_task_and_agent()
    {
        var jobId = NewId("job");
        var first = await Log.AppendAsync(jobId, new NewJobEvent("task.started", "Coder started", null, "task-1", AgentType.Coder));
        Clock.Advance(TimeSpan.FromSeconds(3));
        var second = await Log.AppendAsync(jobId, new NewJobEvent("task.completed", "Coder finished", null, "task-1", AgentType.Coder));

        // Entries younger than two seconds are left to their writer.
        var waiting = Mine(await Log.ReadUnpublishedAsync(10_000, TimeSpan.FromSeconds(2)));
        await Log.MarkPublishedAsync([first.Id]);
        await Log.MarkPublishedAsync([first.Id]); // again: no change, no error
        var afterMark = Mine(await Log.ReadUnpublishedAsync(10_000, TimeSpan.Zero));
        await Log.MarkPublishedAsync([second.Id]);

        Assert.Equal([first.Id], waiting.Select(e => e.Id));
        Assert.Equal(("task-1", AgentType.Coder), (waiting[0].TaskId, waiting[0].AgentType));
        Assert.Equal([second.Id], afterMark.Select(e => e.Id));
        Assert.Empty(Mine(await Log.ReadUnpublishedAsync(10_000, TimeSpan.Zero)));
        Assert.Equal(new JobEvent(jobId, "task.completed", "Coder finished", Start.AddSeconds(3), "task-1", AgentType.Coder, null, second.Id),
            (await Log.ReadAsync(jobId))[1].ToJobEvent());

        List<EventLogEntry> Mine(IEnumerable<EventLogEntry> entries) => [.. entries.Where(e => e.JobId == jobId)];
    }

    [Fact]
    public async Task Append_and_read_reject_blank_arguments()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Log.AppendAsync(" ", "type", "message"));
        await Assert.ThrowsAsync<ArgumentException>(() => Log.AppendAsync(NewId("job"), "", "message"));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Log.ReadAsync(NewId("job"), -1));
    }
}
