using System.Text.Json;
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
    public async Task Append_and_read_reject_blank_arguments()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Log.AppendAsync(" ", "type", "message"));
        await Assert.ThrowsAsync<ArgumentException>(() => Log.AppendAsync(NewId("job"), "", "message"));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Log.ReadAsync(NewId("job"), -1));
    }
}
