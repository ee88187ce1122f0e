using System.Text.Json;
using MultiAgent.Contracts;
using MultiAgent.Persistence;
using MultiAgent.IntegrationTests.Infrastructure;

namespace MultiAgent.IntegrationTests.Persistence;

[Collection(InfrastructureCollection.Name)]
public sealed class TaskStoreTests(InfrastructureFixture infrastructure) : StoreTestBase(infrastructure)
{
    private TaskStore Store => new(DataSource, Clock);

    [Fact]
    public async Task BeginAttempt_records_the_first_delivery_and_counts_redeliveries()
    {
        var start = NewStart(NewId("job"));

        var first = (await Store.BeginAttemptAsync(start)).Task;
        Clock.Advance(TimeSpan.FromSeconds(30));
        var second = (await Store.BeginAttemptAsync(start with { Payload = Json("""{"other":true}"""), LeaseHolder = "b" })).Task;

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
    public async Task A_second_delivery_while_the_lease_holds_is_told_to_step_aside_and_is_not_counted()
    {
        var start = NewStart(NewId("job"));
        await Store.BeginAttemptAsync(start);
        Clock.Advance(TimeSpan.FromSeconds(10));

        var second = await Store.BeginAttemptAsync(start with { LeaseHolder = "coder-other-2/second" });

        Assert.Equal(TaskClaimOutcome.HeldElsewhere, second.Outcome);
        Assert.Equal(TimeSpan.FromSeconds(20), second.LeaseRemaining);
        Assert.Equal(start.LeaseHolder, second.Task.LeaseHolder);
        Assert.Equal(Start.AddSeconds(30), second.Task.LeaseExpiresAt);
        Assert.Equal((1, Start), (second.Task.Attempts, second.Task.StartedAt));
    }

    [Fact]
    public async Task A_renewed_lease_holds_and_one_that_ran_out_is_taken_over_by_the_next_delivery()
    {
        var first = NewStart(NewId("job"));
        var second = first with { LeaseHolder = "coder-other-2/second" };
        await Store.BeginAttemptAsync(first);
        Clock.Advance(TimeSpan.FromSeconds(20));
        Assert.True(await Store.RenewLeaseAsync(first.TaskId, first.LeaseHolder, TimeSpan.FromSeconds(30)));
        Clock.Advance(TimeSpan.FromSeconds(20));

        var whileRenewed = await Store.BeginAttemptAsync(second);
        Clock.Advance(TimeSpan.FromSeconds(10));
        var afterItRanOut = await Store.BeginAttemptAsync(second);

        Assert.Equal((TaskClaimOutcome.HeldElsewhere, TimeSpan.FromSeconds(10)), (whileRenewed.Outcome, whileRenewed.LeaseRemaining));
        Assert.Equal(TaskClaimOutcome.Started, afterItRanOut.Outcome);
        Assert.Equal((2, second.LeaseHolder), (afterItRanOut.Task.Attempts, afterItRanOut.Task.LeaseHolder));
        Assert.Equal(Start.AddSeconds(80), afterItRanOut.Task.LeaseExpiresAt);
        Assert.False(await Store.RenewLeaseAsync(first.TaskId, first.LeaseHolder, TimeSpan.FromSeconds(30)), "the old holder lost it");
        Assert.True(await Store.RenewLeaseAsync(first.TaskId, second.LeaseHolder, TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task A_released_lease_lets_the_next_delivery_start_at_once_and_an_ended_task_holds_no_lease()
    {
        var first = NewStart(NewId("job"));
        var second = first with { LeaseHolder = "coder-other-2/second" };
        await Store.BeginAttemptAsync(first);

        Assert.False(await Store.ReleaseLeaseAsync(first.TaskId, second.LeaseHolder), "only the holder releases");
        Assert.True(await Store.ReleaseLeaseAsync(first.TaskId, first.LeaseHolder));
        var released = await Store.GetAsync(first.TaskId);
        var next = await Store.BeginAttemptAsync(second);
        Assert.True(await Store.CompleteAsync(first.TaskId, Json("{}"), TokenUsage.Zero, TimeSpan.Zero));
        var completed = await Store.GetAsync(first.TaskId);

        Assert.Equal((AgentTaskStatus.InProgress, null, null), (released?.Status, released?.LeaseHolder, released?.LeaseExpiresAt));
        Assert.Equal((TaskClaimOutcome.Started, 2), (next.Outcome, next.Task.Attempts));
        Assert.Equal((null, null), (completed?.LeaseHolder, completed?.LeaseExpiresAt));
        Assert.False(await Store.RenewLeaseAsync(first.TaskId, second.LeaseHolder, TimeSpan.FromSeconds(30)), "an ended task is not renewed");
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Store.BeginAttemptAsync(NewStart(NewId("job")) with { LeaseDuration = TimeSpan.Zero }));
    }

    [Fact]
    public async Task Of_deliveries_racing_for_a_new_task_exactly_one_starts_it()
    {
        var start = NewStart(NewId("job"));
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var racers = Enumerable.Range(0, 6).Select(i => Task.Run(async () =>
        {
            await go.Task;
            return await Store.BeginAttemptAsync(start with { LeaseHolder = $"coder-racer/{i}" });
        })).ToArray();
        go.SetResult();
        var claims = await Task.WhenAll(racers);

        var winner = Assert.Single(claims, c => c.Outcome == TaskClaimOutcome.Started);
        Assert.All(claims.Where(c => c != winner), c => Assert.Equal(TaskClaimOutcome.HeldElsewhere, c.Outcome));
        var task = await Store.GetAsync(start.TaskId);
        Assert.Equal((1, winner.Task.LeaseHolder), (task?.Attempts, task?.LeaseHolder));
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
    public async Task A_claim_reads_the_status_of_the_tasks_job_with_it()
    {
        var jobs = new JobStore(DataSource, Clock);
        var cancelled = (await jobs.CreateAsync(new JobRecord { Id = NewId("job"), Repository = "acme/tasks", Title = "Stopped", Status = JobStatus.Cancelled })).Job;
        var running = (await jobs.CreateAsync(new JobRecord { Id = NewId("job"), Repository = "acme/tasks", Title = "Going", Status = JobStatus.Implementing })).Job;

        var ofCancelled = await Store.BeginAttemptAsync(NewStart(cancelled.Id));
        var ofRunning = await Store.BeginAttemptAsync(NewStart(running.Id));
        var ofUnknown = await Store.BeginAttemptAsync(NewStart(NewId("job")));

        Assert.Equal((TaskClaimOutcome.Started, JobStatus.Cancelled), (ofCancelled.Outcome, ofCancelled.JobStatus));
        Assert.Equal((TaskClaimOutcome.Started, JobStatus.Implementing), (ofRunning.Outcome, ofRunning.JobStatus));
        Assert.Equal((TaskClaimOutcome.Started, (JobStatus?)null), (ofUnknown.Outcome, ofUnknown.JobStatus));
    }

    [Fact]
    public async Task A_completion_with_its_entry_stores_the_outcome_the_jobs_tokens_and_the_entry_together_once()
    {
        var job = (await new JobStore(DataSource, Clock).CreateAsync(new JobRecord { Id = NewId("job"), Repository = "acme/tasks", Title = "Count me" })).Job;
        var start = NewStart(job.Id);
        await Store.BeginAttemptAsync(start);
        var entry = new NewJobEvent(JobEventTypes.TaskCompleted, "coder finished", TaskId: start.TaskId, AgentType: AgentType.Coder);

        var first = await Store.CompleteAsync(start.TaskId, Json("""{"ok":1}"""), new TokenUsage(3, 4, 0.25m), TimeSpan.FromSeconds(1), job.Id, entry);
        var second = await Store.CompleteAsync(start.TaskId, Json("""{"ok":2}"""), new TokenUsage(5, 5), TimeSpan.FromSeconds(1), job.Id, entry);
        // An entry PostgreSQL refuses fails the whole completion: the task stays unfinished and the job's tokens unchanged.
        var other = NewStart(job.Id);
        await Store.BeginAttemptAsync(other);
        await Assert.ThrowsAnyAsync<Npgsql.PostgresException>(() =>
            Store.CompleteAsync(other.TaskId, Json("{}"), new TokenUsage(7, 7), TimeSpan.Zero, job.Id, entry with { Message = "broken \0 text" }));

        Assert.NotNull(first);
        Assert.Null(second);
        Assert.Equal([first], await new EventLog(DataSource, Clock).ReadAsync(job.Id));
        Assert.Equal((start.TaskId, AgentType.Coder), (first.TaskId, first.AgentType));
        Assert.Equal(new TokenUsage(3, 4, 0.25m), (await new JobStore(DataSource, Clock).GetAsync(job.Id))!.Tokens);
        Assert.Equal(new TokenUsage(3, 4, 0.25m), (await Store.GetAsync(start.TaskId))!.Tokens);
        Assert.Equal(AgentTaskStatus.InProgress, (await Store.GetAsync(other.TaskId))!.Status);
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

        var claim = await Store.BeginAttemptAsync(start with { LeaseHolder = "late" });
        var redelivered = claim.Task;

        Assert.Equal(TaskClaimOutcome.Ended, claim.Outcome);
        Assert.Null(redelivered.LeaseHolder);
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
        var again = (await Store.BeginAttemptAsync(deadLettered with { LeaseHolder = "late" })).Task;

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
        LeaseHolder = "coder-test-1/" + Guid.NewGuid().ToString("N")[..12],
        LeaseDuration = TimeSpan.FromSeconds(30),
    };

    private static JsonElement Json(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}
