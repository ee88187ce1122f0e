using MultiAgent.Contracts;
using MultiAgent.Persistence;
using MultiAgent.IntegrationTests.Infrastructure;

namespace MultiAgent.IntegrationTests.Persistence;

[Collection(InfrastructureCollection.Name)]
public sealed class JobStoreTests(InfrastructureFixture infrastructure) : StoreTestBase(infrastructure)
{
    private JobStore Store => new(DataSource, Clock);

    [Fact]
    public async Task Create_is_idempotent_by_id_and_round_trips_every_field()
    {
        var request = new FeatureRequest(
            NewId("job"), NewId("acme/repo"), "Add dark mode", Start, "Users want a dark theme.",
            ["toggle in settings", "persist choice"], BaseBranch: "develop", Priority: TaskPriority.High,
            MaxIterations: 5, RequireApproval: true);

        var first = await Store.CreateAsync(JobRecord.FromRequest(request));
        Clock.Advance(TimeSpan.FromMinutes(1));
        var second = await Store.CreateAsync(JobRecord.FromRequest(request) with { Title = "Something else" });

        Assert.True(first.Created);
        Assert.False(second.Created);
        var job = first.Job;
        Assert.Equal(request.JobId, job.Id);
        Assert.Equal(request.Repository, job.Repository);
        Assert.Equal("Add dark mode", job.Title);
        Assert.Equal("Users want a dark theme.", job.Description);
        Assert.Equal(["toggle in settings", "persist choice"], job.Requirements);
        Assert.Equal("develop", job.BaseBranch);
        Assert.Equal(JobStatus.Pending, job.Status);
        Assert.Equal(TaskPriority.High, job.Priority);
        Assert.Equal(0, job.Iteration);
        Assert.Equal(5, job.MaxIterations);
        Assert.True(job.RequireApproval);
        Assert.Null(job.PullRequestNumber);
        Assert.Null(job.Error);
        Assert.Equal(TokenUsage.Zero, job.Tokens);
        Assert.Equal(Start, job.CreatedAt);
        Assert.Equal(Start, job.UpdatedAt);
        Assert.Null(job.CompletedAt);
        Assert.Equal(TimeSpan.Zero, job.CreatedAt.Offset);

        Assert.Equal("Add dark mode", second.Job.Title);
        Assert.Equal(Start, second.Job.CreatedAt);
        var read = await Store.GetAsync(request.JobId);
        Assert.NotNull(read);
        Assert.Equal(job with { Requirements = read.Requirements }, read);
        Assert.Equal(job.Requirements, read.Requirements);
        Assert.Null(await Store.GetAsync(NewId("missing")));

        // Enums are stored as their wire names.
        Assert.Equal("HIGH", await ScalarAsync<string>("SELECT priority FROM jobs WHERE id = @id", job.Id));
        Assert.True(await Store.TransitionAsync(job.Id, JobStatus.AwaitingApproval));
        Assert.Equal("AWAITING_APPROVAL", await ScalarAsync<string>("SELECT status FROM jobs WHERE id = @id", job.Id));
    }

    [Fact]
    public async Task Create_rejects_invalid_jobs()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Store.CreateAsync(NewJob(NewId("acme/repo")) with { Title = " " }));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.CreateAsync(NewJob(NewId("acme/repo")) with { MaxIterations = 0 }));
    }

    [Fact]
    public async Task List_filters_by_status_and_repository_newest_first_with_paging_and_total()
    {
        var repository = NewId("acme/list");
        var other = NewId("acme/other");
        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add((await Store.CreateAsync(NewJob(repository))).Job.Id);
            Clock.Advance(TimeSpan.FromMinutes(1));
        }

        var otherId = (await Store.CreateAsync(NewJob(other))).Job.Id;
        Assert.True(await Store.TransitionAsync(ids[1], JobStatus.Implementing));
        Assert.True(await Store.TransitionAsync(ids[3], JobStatus.Implementing));
        Assert.True(await Store.TransitionAsync(otherId, JobStatus.Implementing));

        var page1 = await Store.ListAsync(new JobListQuery { Repository = repository, Limit = 2 });
        var page3 = await Store.ListAsync(new JobListQuery { Repository = repository, Limit = 2, Offset = 4 });
        var beyond = await Store.ListAsync(new JobListQuery { Repository = repository, Limit = 2, Offset = 10 });
        var implementing = await Store.ListAsync(new JobListQuery { Repository = repository, Status = JobStatus.Implementing });
        var anyRepository = await Store.ListAsync(new JobListQuery { Status = JobStatus.Implementing, Limit = JobListQuery.MaxLimit });

        Assert.Equal([ids[4], ids[3]], page1.Items.Select(j => j.Id));
        Assert.Equal(5, page1.Total);
        Assert.Equal([ids[0]], page3.Items.Select(j => j.Id));
        Assert.Equal(5, page3.Total);
        Assert.Empty(beyond.Items);
        Assert.Equal(5, beyond.Total);
        Assert.Equal([ids[3], ids[1]], implementing.Items.Select(j => j.Id));
        Assert.Equal(2, implementing.Total);
        Assert.All(anyRepository.Items, j => Assert.Equal(JobStatus.Implementing, j.Status));
        Assert.Contains(otherId, anyRepository.Items.Select(j => j.Id));
        Assert.True(anyRepository.Total >= 3);
        Assert.Empty((await Store.ListAsync(new JobListQuery { Repository = repository, Status = JobStatus.Merging })).Items);
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(201, 0)]
    [InlineData(20, -1)]
    public async Task List_rejects_a_limit_outside_1_to_200_and_a_negative_offset(int limit, int offset)
    {
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(
            () => Store.ListAsync(new JobListQuery { Limit = limit, Offset = offset }));
    }

    [Fact]
    public async Task Transition_updates_fields_and_a_terminal_state_is_never_left()
    {
        var id = (await Store.CreateAsync(NewJob(NewId("acme/transition")))).Job.Id;
        var implementing = new JobChanges { Iteration = 1, Branch = "feature/x" };

        Clock.Advance(TimeSpan.FromMinutes(1));
        Assert.True(await Store.TransitionAsync(id, JobStatus.Implementing, implementing));
        Assert.False(await Store.TransitionAsync(id, JobStatus.Implementing, implementing));
        Assert.True(await Store.TransitionAsync(id, JobStatus.Reviewing,
            new JobChanges { PullRequestNumber = 7, PullRequestUrl = "https://example.test/pr/7", HeadSha = "abc123" }));
        var reviewing = await Store.GetAsync(id);
        Assert.NotNull(reviewing);
        Assert.Equal(JobStatus.Reviewing, reviewing.Status);
        Assert.Equal(1, reviewing.Iteration);
        Assert.Equal("feature/x", reviewing.Branch);
        Assert.Equal(7, reviewing.PullRequestNumber);
        Assert.Equal("https://example.test/pr/7", reviewing.PullRequestUrl);
        Assert.Equal("abc123", reviewing.HeadSha);
        Assert.Equal(Start.AddMinutes(1), reviewing.UpdatedAt);
        Assert.Null(reviewing.CompletedAt);

        Clock.Advance(TimeSpan.FromMinutes(1));
        Assert.True(await Store.MarkFailedAsync(id, "review rejected"));
        Clock.Advance(TimeSpan.FromMinutes(1));
        Assert.False(await Store.TransitionAsync(id, JobStatus.Implementing, new JobChanges { Iteration = 2 }));
        Assert.False(await Store.TransitionAsync(id, JobStatus.Completed, new JobChanges { MergeCommitSha = "def456" }));
        Assert.False(await Store.MarkCancelledAsync(id, "too late"));
        Assert.False(await Store.MarkFailedAsync(id, "again"));

        var failed = await Store.GetAsync(id);
        Assert.NotNull(failed);
        Assert.Equal(JobStatus.Failed, failed.Status);
        Assert.True(failed.IsTerminal);
        Assert.Equal("review rejected", failed.Error);
        Assert.Equal(1, failed.Iteration);
        Assert.Null(failed.MergeCommitSha);
        Assert.Equal(Start.AddMinutes(2), failed.CompletedAt);
        Assert.Equal(Start.AddMinutes(2), failed.UpdatedAt);
        Assert.False(await Store.MarkFailedAsync(NewId("missing"), "no such job"));
    }

    [Fact]
    public async Task A_transition_and_its_timeline_entries_are_stored_together_or_not_at_all()
    {
        var id = (await Store.CreateAsync(NewJob(NewId("acme/atomic")))).Job.Id;
        var log = new EventLog(DataSource, Clock);

        var stored = await Store.TransitionAsync(id, JobStatus.Implementing, new JobChanges { Iteration = 1 },
            [new NewJobEvent(JobEventTypes.JobTransition, "PENDING → IMPLEMENTING"), new NewJobEvent("job.note", "second")]);
        // An entry PostgreSQL refuses (a NUL character in text) fails the transaction: the job keeps its state.
        await Assert.ThrowsAnyAsync<Npgsql.PostgresException>(() => Store.TransitionAsync(id, JobStatus.Reviewing, new JobChanges(),
            [new NewJobEvent(JobEventTypes.JobTransition, "IMPLEMENTING → REVIEWING"), new NewJobEvent("job.note", "broken \0 text")]));
        var refused = await Store.TransitionAsync(id, JobStatus.Implementing, new JobChanges { Iteration = 1 },
            [new NewJobEvent("job.note", "nothing changed, nothing told")]);

        Assert.NotNull(stored);
        Assert.Equal(["PENDING → IMPLEMENTING", "second"], stored.Select(e => e.Message));
        Assert.Null(refused);
        Assert.Equal(JobStatus.Implementing, (await Store.GetAsync(id))!.Status);
        Assert.Equal(stored, await log.ReadAsync(id));
    }

    [Fact]
    public async Task Details_are_read_at_one_instant_even_while_the_job_moves()
    {
        const int Transitions = 200;
        var id = (await Store.CreateAsync(NewJob(NewId("acme/details")))).Job.Id;
        var taskId = NewId("task");
        await new TaskStore(DataSource, Clock).BeginAttemptAsync(new TaskStart
        {
            TaskId = taskId,
            JobId = id,
            AgentType = AgentType.Coder,
            MessageType = MessageTypes.ImplementationRequest,
            LeaseHolder = "coder-test/1",
            LeaseDuration = TimeSpan.FromSeconds(30),
        });

        // Every transition moves the iteration on by one and appends one entry in the same transaction; read while
        // they run, the job's iteration must always equal the number of entries beside it, and its status the last one's.
        var writer = Task.Run(async () =>
        {
            for (var i = 1; i <= Transitions; i++)
            {
                var to = i % 2 == 0 ? JobStatus.Reviewing : JobStatus.Implementing;
                Assert.NotNull(await Store.TransitionAsync(id, to, new JobChanges { Iteration = i },
                    [new NewJobEvent(JobEventTypes.JobTransition, WireName<JobStatus>.Of(to))]));
            }
        });
        var reads = 0;
        while (!writer.IsCompleted || reads == 0)
        {
            var details = await Store.GetDetailsAsync(id);
            Assert.NotNull(details);
            Assert.Equal(details.Job.Iteration, details.Events.Count);
            Assert.Equal(
                details.Events.Count == 0 ? WireName<JobStatus>.Of(JobStatus.Pending) : details.Events[^1].Message,
                WireName<JobStatus>.Of(details.Job.Status));
            reads++;
        }

        await writer;
        var final = await Store.GetDetailsAsync(id);
        Assert.NotNull(final);
        Assert.Equal(Transitions, final.Events.Count);
        Assert.Equal(taskId, Assert.Single(final.Tasks).Id);
        Assert.Null(await Store.GetDetailsAsync(NewId("missing")));
    }

    [Fact]
    public async Task Cancelled_and_completed_jobs_stay_put()
    {
        var cancelled = (await Store.CreateAsync(NewJob(NewId("acme/cancel")))).Job.Id;
        var completed = (await Store.CreateAsync(NewJob(NewId("acme/complete")))).Job.Id;

        Assert.True(await Store.MarkCancelledAsync(cancelled));
        Assert.True(await Store.TransitionAsync(completed, JobStatus.Merging));
        Assert.True(await Store.TransitionAsync(completed, JobStatus.Completed, new JobChanges { MergeCommitSha = "f00" }));

        Assert.False(await Store.TransitionAsync(cancelled, JobStatus.Pending));
        Assert.False(await Store.MarkFailedAsync(completed, "after the fact"));
        Assert.Equal(JobStatus.Cancelled, (await Store.GetAsync(cancelled))?.Status);
        var done = await Store.GetAsync(completed);
        Assert.Equal(JobStatus.Completed, done?.Status);
        Assert.Equal("f00", done?.MergeCommitSha);
        Assert.Null(done?.Error);
    }

    [Fact]
    public async Task ListUnfinished_returns_the_non_terminal_jobs_oldest_first()
    {
        var repository = NewId("acme/resume");
        var pending = (await Store.CreateAsync(NewJob(repository))).Job.Id;
        Clock.Advance(TimeSpan.FromSeconds(1));
        var reviewing = (await Store.CreateAsync(NewJob(repository) with { Status = JobStatus.Reviewing })).Job.Id;
        var completed = (await Store.CreateAsync(NewJob(repository))).Job.Id;
        var failed = (await Store.CreateAsync(NewJob(repository))).Job.Id;
        var cancelled = (await Store.CreateAsync(NewJob(repository))).Job.Id;
        Assert.True(await Store.TransitionAsync(completed, JobStatus.Completed));
        Assert.True(await Store.MarkFailedAsync(failed, "boom"));
        Assert.True(await Store.MarkCancelledAsync(cancelled));

        var unfinished = await Store.ListUnfinishedAsync();

        Assert.Equal([pending, reviewing], unfinished.Where(j => j.Repository == repository).Select(j => j.Id));
        Assert.All(unfinished, j => Assert.False(j.IsTerminal));
    }

    [Fact]
    public async Task Token_usage_accumulates()
    {
        var id = (await Store.CreateAsync(NewJob(NewId("acme/tokens")))).Job.Id;

        Assert.True(await Store.AddTokenUsageAsync(id, new TokenUsage(10, 5)));
        Assert.True(await Store.AddTokenUsageAsync(id, new TokenUsage(1, 2)));

        Assert.Equal(new TokenUsage(11, 7), (await Store.GetAsync(id))?.Tokens);
        Assert.Null((await Store.GetAsync(id))!.Tokens.Cost); // nothing priced: no cost, not a cost of 0

        // Costs add up as they are known; usage without one leaves the sum as it is.
        Assert.True(await Store.AddTokenUsageAsync(id, new TokenUsage(100, 10, 0.00035m)));
        Assert.True(await Store.AddTokenUsageAsync(id, new TokenUsage(5, 5)));
        Assert.True(await Store.AddTokenUsageAsync(id, new TokenUsage(200, 20, 0.12345678m)));
        Assert.Equal(new TokenUsage(316, 42, 0.12380678m), (await Store.GetAsync(id))?.Tokens);
        Assert.False(await Store.AddTokenUsageAsync(NewId("missing"), new TokenUsage(1, 1)));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Store.AddTokenUsageAsync(id, new TokenUsage(-1, 0)));
    }

    private static JobRecord NewJob(string repository) => new()
    {
        Id = NewId("job"),
        Repository = repository,
        Title = "A feature",
    };
}
