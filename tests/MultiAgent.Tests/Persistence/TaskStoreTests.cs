using System.Text.Json;
using MultiAgent.Contracts;
using MultiAgent.Persistence;
using MultiAgent.Tests.Infrastructure;

namespace MultiAgent.Tests.Persistence;

[Collection(InfrastructureCollection.Name)]
public sealed class TaskStoreTests(InfrastructureFixture infrastructure) : StoreTestBase(infrastructure)
{
    private TaskStore Store => new(DataSource, Clock);

    [Fact]
    public async Task BeginAttempt_records_the_first_delivery_and_counts_redeliveries()
    {
        var start = NewStart(NewId("job"));

        var first = await Store.BeginAttemptAsync(start);
        Clock.Advance(TimeSpan.FromSeconds(30));
        var second = await Store.BeginAttemptAsync(start with { Payload = Json("""{"other":true}""") });

        Assert.Equal(1, first.Attempts);
        Assert.Equal(AgentTaskStatus.InProgress, first.Status);
        Assert.Equal(start.JobId, first.JobId);
        Assert.Equal(AgentType.Coder, first.AgentType);
        Assert.Equal(MessageTypes.ImplementationRequest, first.MessageType);
        Assert.True(JsonElement.DeepEquals(start.Payload!.Value, first.Payload!.Value));
        Assert.Equal(Start, first.CreatedAt);
        Assert.Equal(Start, first.StartedAt);
        Assert.Null(first.Outcome);
        Assert.False(first.IsTerminal);

        Assert.Equal(2, second.Attempts);
        Assert.Equal(AgentTaskStatus.InProgress, second.Status);
        Assert.Equal(Start, second.CreatedAt);
        Assert.Equal(Start.AddSeconds(30), second.StartedAt);
        Assert.True(JsonElement.DeepEquals(start.Payload!.Value, second.Payload!.Value), "the first payload is kept");
        var read = await Store.GetAsync(start.TaskId);
        Assert.Equal((2, Start.AddSeconds(30)), (read?.Attempts, read?.StartedAt));
        Assert.Equal("IN_PROGRESS", await ScalarAsync<string>("SELECT status FROM tasks WHERE id = @id", start.TaskId));
        Assert.Equal("CODER", await ScalarAsync<string>("SELECT agent_type FROM tasks WHERE id = @id", start.TaskId));
    }

    [Fact]
    public async Task Complete_twice_stores_only_the_first_outcome()
    {
        var start = NewStart(NewId("job"));
        await Store.BeginAttemptAsync(start);
        Clock.Advance(TimeSpan.FromSeconds(2));

        var first = await Store.CompleteAsync(start.TaskId, Json("""{"result":"first"}"""), new TokenUsage(3, 4), TimeSpan.FromMilliseconds(1500));
        Clock.Advance(TimeSpan.FromSeconds(2));
        var second = await Store.CompleteAsync(start.TaskId, Json("""{"result":"second"}"""), new TokenUsage(100, 100), TimeSpan.FromSeconds(9));

        Assert.True(first);
        Assert.False(second);
        var task = await Store.GetAsync(start.TaskId);
        Assert.NotNull(task);
        Assert.Equal(AgentTaskStatus.Completed, task.Status);
        Assert.True(JsonElement.DeepEquals(Json("""{"result":"first"}"""), task.Outcome!.Value));
        Assert.Equal(new TokenUsage(3, 4), task.Tokens);
        Assert.Equal(TimeSpan.FromMilliseconds(1500), task.Duration);
        Assert.Equal(Start.AddSeconds(2), task.CompletedAt);
        Assert.False(await Store.CompleteAsync(NewId("missing"), Json("{}"), TokenUsage.Zero, TimeSpan.Zero));
    }

    [Fact]
    public async Task Concurrent_completions_store_exactly_one_outcome()
    {
        var start = NewStart(NewId("job"));
        await Store.BeginAttemptAsync(start);
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var attempts = Enumerable.Range(0, 6).Select(i => Task.Run(async () =>
        {
            await go.Task;
            return (Index: i, Stored: await Store.CompleteAsync(start.TaskId, Json($$"""{"by":{{i}}}"""), new TokenUsage(i, i), TimeSpan.FromSeconds(i)));
        })).ToArray();
        go.SetResult();
        var results = await Task.WhenAll(attempts);

        var winner = Assert.Single(results, r => r.Stored);
        var task = await Store.GetAsync(start.TaskId);
        Assert.Equal(winner.Index, task?.Outcome?.GetProperty("by").GetInt32());
        Assert.Equal(new TokenUsage(winner.Index, winner.Index), task?.Tokens);
    }

    [Fact]
    public async Task BeginAttempt_on_a_completed_task_does_not_reopen_it()
    {
        var start = NewStart(NewId("job"));
        await Store.BeginAttemptAsync(start);
        Assert.True(await Store.CompleteAsync(start.TaskId, Json("""{"ok":1}"""), TokenUsage.Zero, TimeSpan.FromSeconds(1)));
        Clock.Advance(TimeSpan.FromMinutes(5));

        var redelivered = await Store.BeginAttemptAsync(start);

        Assert.Equal(AgentTaskStatus.Completed, redelivered.Status);
        Assert.True(redelivered.IsTerminal);
        Assert.Equal(1, redelivered.Attempts);
        Assert.Equal(Start, redelivered.StartedAt);
        Assert.True(JsonElement.DeepEquals(Json("""{"ok":1}"""), redelivered.Outcome!.Value));
    }

    [Fact]
    public async Task Fail_records_a_final_failure_but_never_overwrites_a_completion()
    {
        var completed = NewStart(NewId("job"));
        var deadLettered = NewStart(completed.JobId);
        await Store.BeginAttemptAsync(completed);
        await Store.BeginAttemptAsync(deadLettered);
        Assert.True(await Store.CompleteAsync(completed.TaskId, Json("""{"ok":1}"""), TokenUsage.Zero, TimeSpan.Zero));
        Clock.Advance(TimeSpan.FromSeconds(1));

        Assert.False(await Store.FailAsync(completed.TaskId, AgentTaskStatus.Failed, "late failure"));
        Assert.True(await Store.FailAsync(deadLettered.TaskId, AgentTaskStatus.DeadLettered, "poison"));
        var again = await Store.BeginAttemptAsync(deadLettered);

        var stillCompleted = await Store.GetAsync(completed.TaskId);
        Assert.Equal(AgentTaskStatus.Completed, stillCompleted?.Status);
        Assert.Null(stillCompleted?.Error);
        Assert.Equal(AgentTaskStatus.DeadLettered, again.Status);
        Assert.Equal("poison", again.Error);
        Assert.Equal(1, again.Attempts);
        Assert.Equal(Start.AddSeconds(1), again.CompletedAt);
        Assert.Equal("DEAD_LETTERED", await ScalarAsync<string>("SELECT status FROM tasks WHERE id = @id", deadLettered.TaskId));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(
            () => Store.FailAsync(deadLettered.TaskId, AgentTaskStatus.InProgress, "not a failure"));
    }

    [Fact]
    public async Task ListForJob_returns_the_job_s_tasks_in_order_even_without_a_job_row()
    {
        var jobId = NewId("no-such-job");
        var a = NewStart(jobId);
        var b = NewStart(jobId) with { AgentType = AgentType.Reviewer, MessageType = MessageTypes.ReviewRequest, Payload = null };
        await Store.BeginAttemptAsync(a);
        Clock.Advance(TimeSpan.FromSeconds(1));
        await Store.BeginAttemptAsync(b);
        await Store.BeginAttemptAsync(NewStart(NewId("job")));

        var tasks = await Store.ListForJobAsync(jobId);

        Assert.Equal([a.TaskId, b.TaskId], tasks.Select(t => t.Id));
        Assert.Equal(AgentType.Reviewer, tasks[1].AgentType);
        Assert.Null(tasks[1].Payload);
        Assert.Empty(await Store.ListForJobAsync(NewId("job")));
    }

    private static TaskStart NewStart(string jobId) => new()
    {
        TaskId = NewId("task"),
        JobId = jobId,
        AgentType = AgentType.Coder,
        MessageType = MessageTypes.ImplementationRequest,
        Payload = Json("""{"title":"Add dark mode","requirements":["a","b"],"iteration":1}"""),
    };

    private static JsonElement Json(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}
