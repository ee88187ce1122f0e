using MultiAgent.Cli;
using MultiAgent.Contracts;
using MultiAgent.Hosting.Nats;
using MultiAgent.Repositories;
using MultiAgent.IntegrationTests.Cli;
using MultiAgent.IntegrationTests.Fakes.OpenAI;
using MultiAgent.IntegrationTests.Infrastructure;

namespace MultiAgent.IntegrationTests.EndToEnd;

/// <summary>
/// The Repo Manager's workflow on the running system: a feature request goes through the real Coder and Reviewer (on
/// the scripted model) to a merge on the local-git host, or stops where it should — a review round, the iteration limit,
/// a stop, a crash of the Repo Manager between steps, the approval gate.
/// </summary>
[Collection(SystemCollection.Name)]
public sealed class WorkflowScenarios(SystemFixture system) : ScenarioTests(system)
{
    [Fact]
    public async Task A_feature_request_ends_in_a_merge_commit_on_the_default_branch()
    {
        await using var scenario = await Scenario.StartAsync(Fixture);
        scenario.Coder.Enqueue(Scripts.WriteMarkerFile(scenario));
        scenario.Reviewer.Enqueue(Scripts.Approve("Adds the file as asked."));

        var jobId = await Client.SubmitAsync(scenario.Feature("Write the marker file"));
        var done = await Client.WaitForEndAsync(jobId, JobStatus.Completed, scenario);

        var job = done.Job;
        Assert.Equal((JobStatus.Completed, 1), (job.Status, job.Iteration));
        Assert.Equal(job.MergeCommitSha, await scenario.BranchShaAsync("main"));
        Assert.Equal(3, (await scenario.CommitAndParentsAsync("main")).Count); // a merge commit: itself and two parents
        Assert.Equal($"hello from {scenario.Marker}", await scenario.ShowAsync("main", scenario.FileName));
        Assert.Equal("local://" + scenario.Marker + "/pulls/1", job.PullRequestUrl);
        Assert.Equal(PullRequestState.Merged, (await Client.PullRequests.GetAsync(scenario.Repository, 1))!.State);
        Assert.Equal(ReviewDecision.Approve, Assert.Single(await Client.PullRequests.ListReviewsAsync(scenario.Repository, 1)).Decision);
        // The Coder's two calls and the Reviewer's one, each priced at its model's prices: 0.00085 + 0.00036.
        Assert.Equal(new TokenUsage(420, 70, 0.00121m), job.TokenUsage);
        Assert.Equal(ScenarioChecks.MergedTimeline, done.WorkflowEvents());
        Assert.Equal(["IMPLEMENTING", "REVIEWING", "MERGING"], done.Transitions());
        Assert.Equal(
            [MessageTypes.FeatureRequest, MessageTypes.ImplementationRequest, MessageTypes.ImplementationResult, MessageTypes.ReviewRequest, MessageTypes.ReviewResult],
            done.Tasks.Select(t => t.MessageType).ToArray());
        // The Repo Manager records the job's end inside its last task; that task's own bookkeeping follows just after.
        var settled = await Client.WaitForJobAsync(jobId, s => s.Tasks.All(t => t.Status != AgentTaskStatus.InProgress), "the last task to be recorded", scenario);
        Assert.All(settled.Tasks, t => Assert.Equal(AgentTaskStatus.Completed, t.Status));
        Assert.Equal([0.00085m, 0.00036m], settled.Tasks.Where(t => t.TokenUsage.Cost is not null).Select(t => t.TokenUsage.Cost!.Value));
        Assert.Empty(scenario.Llm.Unscripted);

        // The completion event carries the job's tokens and cost (what the completion notification shows).
        var completion = settled.Timeline.Single(e => e.Type == JobEventTypes.JobCompleted).Data!.Value.GetProperty("tokenUsage");
        Assert.Equal((420, 70, 0.00121m), (completion.GetProperty("inputTokens").GetInt32(), completion.GetProperty("outputTokens").GetInt32(), completion.GetProperty("cost").GetDecimal()));

        // One trace: every task of the job ran in a span of the job's trace (the Repo Manager's, the Coder's and the
        // Reviewer's, in three processes), each span its own.
        var started = settled.Timeline.Where(e => e.Type == JobEventTypes.TaskStarted).ToList();
        Assert.Equal(5, started.Count);
        Assert.All(started, e => Assert.Equal(
            MultiAgent.Messaging.TraceHeaders.TraceIdOf(jobId).ToHexString(), e.Data?.GetProperty("traceId").GetString()));
        Assert.Equal(5, started.Select(e => e.Data?.GetProperty("spanId").GetString()).Distinct().Count());
        // The first task, submitted from outside, sits under the job's root; every later one under the span that
        // published it (the sending task's NATS publish span), which only the traceparent header can have brought.
        var root = MultiAgent.Messaging.TraceHeaders.RootOf(jobId).SpanId.ToHexString();
        string Span(int i, string name) => started[i].Data!.Value.GetProperty(name).GetString()!;
        Assert.Equal(root, Span(0, "parentSpanId"));
        for (var i = 1; i < started.Count; i++)
        {
            Assert.NotEqual(root, Span(i, "parentSpanId"));
            Assert.NotEqual("0000000000000000", Span(i, "parentSpanId"));
        }
    }

    [Fact]
    public async Task Requested_changes_come_back_to_the_Coder_who_updates_the_same_pull_request_which_is_then_merged()
    {
        await using var scenario = await Scenario.StartAsync(Fixture);
        scenario.Coder.Enqueue(Scripts.WriteMarkerFile(scenario));
        scenario.Reviewer.Enqueue(Scripts.RequestChanges(scenario.FileName, "Say goodbye instead of hello."));
        scenario.Coder.Enqueue(Scripts.WriteMarkerFile(scenario, "goodbye"));
        scenario.Reviewer.Enqueue(Scripts.Approve());

        var jobId = await Client.SubmitAsync(scenario.Feature("Write the marker file"));
        var done = await Client.WaitForEndAsync(jobId, JobStatus.Completed, scenario);

        Assert.Equal((JobStatus.Completed, 2), (done.Job.Status, done.Job.Iteration));
        Assert.Equal($"goodbye from {scenario.Marker}", await scenario.ShowAsync("main", scenario.FileName));
        var pullRequest = await Client.PullRequests.GetAsync(scenario.Repository, 1);
        Assert.Equal(PullRequestState.Merged, pullRequest!.State);
        Assert.Null(await Client.PullRequests.GetAsync(scenario.Repository, 2)); // iteration 2 updated #1
        var reviews = await Client.PullRequests.ListReviewsAsync(scenario.Repository, 1);
        Assert.Equal([ReviewDecision.RequestChanges, ReviewDecision.Approve], reviews.Select(r => r.Decision).ToArray());
        // The Coder's second session was given the reviewer's comment.
        Assert.Contains("Say goodbye instead of hello.", scenario.Coder.Requests[2].Body, StringComparison.Ordinal);
        Assert.Equal(2, done.Tasks.Count(t => t.MessageType == MessageTypes.ImplementationRequest));
        Assert.Equal(1, done.Timeline.Count(e => e.Type == JobEventTypes.PullRequestOpened));
    }

    [Fact]
    public async Task Changes_still_requested_at_the_iteration_limit_fail_the_job_with_the_reason()
    {
        await using var scenario = await Scenario.StartAsync(Fixture);
        scenario.Coder.Enqueue(Scripts.WriteMarkerFile(scenario));
        scenario.Reviewer.Enqueue(Scripts.RequestChanges(scenario.FileName, "Not like this.", "Still wrong."));

        var jobId = await Client.SubmitAsync(scenario.Feature("Write the marker file", maxIterations: 1));
        var done = await Client.WaitForEndAsync(jobId, JobStatus.Failed, scenario);

        Assert.Equal(JobStatus.Failed, done.Job.Status);
        Assert.Equal("the Reviewer still requested changes after 1 iteration(s), the maximum for this job: Still wrong.", done.Job.Error);
        Assert.Single(await scenario.CommitsAsync("main"));
        Assert.Equal(PullRequestState.Open, (await Client.PullRequests.GetAsync(scenario.Repository, 1))!.State);
        Assert.Equal(JobEventTypes.JobFailed, done.WorkflowEvents()[^1]);
        Assert.Empty(scenario.Llm.Unscripted);
    }

    [Fact]
    public async Task A_job_stopped_while_the_Coder_works_is_cancelled_and_the_Coder_stops()
    {
        await using var scenario = await Scenario.StartAsync(Fixture);
        var gate = new FakeGate();
        scenario.Coder.Enqueue([gate, .. Scripts.WriteMarkerFile(scenario)]);
        var jobId = await Client.SubmitAsync(scenario.Feature("Something to stop"));
        await gate.WhenReachedAsync(SystemClient.DefaultPatience);

        var stopped = await CliRunner.RunAsAsync(Fixture, NatsUsers.Operator, "stop-job", jobId, "--reason", "not needed after all");
        gate.Release();
        var done = await Client.WaitForTaskAsync(jobId, AgentType.Coder, MessageTypes.ImplementationRequest, AgentTaskStatus.Cancelled, scenario);

        Assert.Equal(ExitCodes.Ok, stopped.ExitCode);
        Assert.Equal((JobStatus.Cancelled, "not needed after all"), (done.Job.Status, done.Job.Error));
        Assert.Contains(done.Timeline, e => e.Type == JobEventTypes.JobCancelled);
        Assert.Null(await Client.PullRequests.GetAsync(scenario.Repository, 1));
        Assert.Single(await scenario.CommitsAsync("main"));
    }

    [Fact]
    public async Task A_job_stopped_during_its_review_is_cancelled_and_its_pull_request_closed()
    {
        await using var scenario = await Scenario.StartAsync(Fixture);
        var gate = new FakeGate();
        scenario.Coder.Enqueue(Scripts.WriteMarkerFile(scenario));
        scenario.Reviewer.Enqueue(gate, Scripts.Approve());
        var jobId = await Client.SubmitAsync(scenario.Feature("Something to stop while reviewed"));
        await gate.WhenReachedAsync(SystemClient.DefaultPatience);

        var stopped = await Client.Queries.StopJobAsync(jobId, "superseded");
        gate.Release();
        var done = await Client.WaitForTaskAsync(jobId, AgentType.Reviewer, MessageTypes.ReviewRequest, AgentTaskStatus.Cancelled, scenario);

        Assert.Equal((JobStatus.Cancelled, true), (stopped.Status, stopped.Changed));
        Assert.Equal(PullRequestState.Closed, (await Client.PullRequests.GetAsync(scenario.Repository, 1))!.State);
        Assert.Contains(done.Timeline, e => e.Type == JobEventTypes.PullRequestClosed);
        Assert.Empty(await Client.PullRequests.ListReviewsAsync(scenario.Repository, 1));
        Assert.Single(await scenario.CommitsAsync("main"));
    }

    [Fact]
    public async Task A_pull_request_reported_after_its_job_was_stopped_is_closed()
    {
        await using var scenario = await Scenario.StartAsync(Fixture);
        scenario.Coder.Enqueue(Scripts.WriteMarkerFile(scenario));
        var feature = scenario.Feature("Finish too late");
        var late = await Client.ImplementAsync(scenario, feature); // PR #1 open; the job was never started
        await Client.Jobs.MarkCancelledAsync(feature.JobId, "stopped before the Coder answered");

        await Client.SendAsync(late, AgentType.RepoManager, feature.JobId, "late-" + Guid.NewGuid().ToString("N"));

        await Eventually.ReturnsAsync(
            async _ => (await Client.PullRequests.GetAsync(scenario.Repository, 1))!.State, state => state == PullRequestState.Closed,
            SystemClient.DefaultPatience, "the late pull request to be closed");
        Assert.Equal(JobStatus.Cancelled, (await Client.Jobs.GetAsync(feature.JobId))!.Status);
    }

    [Fact]
    public async Task A_job_whose_Repo_Manager_is_killed_between_steps_completes_once_it_is_back()
    {
        await using var scenario = await Scenario.StartAsync(Fixture);
        var gate = new FakeGate();
        scenario.Coder.Enqueue([gate, .. Scripts.WriteMarkerFile(scenario)]);
        scenario.Reviewer.Enqueue(Scripts.Approve());
        var jobId = await Client.SubmitAsync(scenario.Feature("Survive the Repo Manager"));
        await gate.WhenReachedAsync(SystemClient.DefaultPatience);

        // The Coder finishes while the Repo Manager is dead: its result waits on the bus for the restarted one.
        var killed = await SystemProcesses.KillAsync(Fixture, "repomanager");
        gate.Release();
        var restartedAt = await SystemProcesses.WaitUntilRestartedAsync(Fixture, "repomanager", killed);
        var done = await Client.WaitForEndAsync(jobId, JobStatus.Completed, scenario);

        Assert.Equal(JobStatus.Completed, done.Job.Status);
        Assert.Equal(done.Job.MergeCommitSha, await scenario.BranchShaAsync("main"));
        Assert.Equal(3, (await scenario.CommitsAsync("main")).Count); // first commit, the change, one merge
        Assert.Equal(1, done.Tasks.Count(t => t.MessageType == MessageTypes.ImplementationRequest));
        Assert.Equal(1, done.Tasks.Count(t => t.MessageType == MessageTypes.ReviewRequest));
        Assert.Equal(1, done.Timeline.Count(e => e.Type == JobEventTypes.JobCompleted));
        Assert.Single(await Client.PullRequests.ListReviewsAsync(scenario.Repository, 1));
        var resultTask = Assert.Single(done.Tasks, t => t.MessageType == MessageTypes.ImplementationResult);
        Assert.True(resultTask.StartedAt >= restartedAt, $"the Coder's result was taken at {resultTask.StartedAt:O}, before the Repo Manager came back at {restartedAt:O}");
    }

    [Fact]
    public async Task With_approval_required_an_approved_change_waits_and_is_merged_after_multi_agent_approve()
    {
        await using var scenario = await Scenario.StartAsync(Fixture);
        var waiting = await Client.RunToApprovalAsync(scenario, scenario.Feature("Wait for a person", requireApproval: true));
        var jobId = waiting.Job.JobId;
        Assert.Single(await scenario.CommitsAsync("main"));
        Assert.Contains(waiting.Timeline, e => e.Message.Contains($"multi-agent approve {jobId}", StringComparison.Ordinal));
        var approved = await CliRunner.RunAsAsync(Fixture, NatsUsers.Operator, "approve", jobId);
        var done = await Client.WaitForEndAsync(jobId, JobStatus.Completed, scenario);

        Assert.Equal(ExitCodes.Ok, approved.ExitCode);
        Assert.Equal(JobStatus.Completed, done.Job.Status);
        Assert.Equal(done.Job.MergeCommitSha, await scenario.BranchShaAsync("main"));
        Assert.Contains(done.Timeline, e => e.Type == JobEventTypes.JobTransition && e.Message.StartsWith("AWAITING_APPROVAL → MERGING: approved by ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_job_whose_model_usage_passes_its_token_budget_fails_and_no_further_model_call_is_made()
    {
        await using var scenario = await Scenario.StartAsync(Fixture);
        scenario.Coder.Enqueue(Scripts.WriteMarkerFile(scenario)); // two calls: 120 tokens, then 130
        scenario.Reviewer.Enqueue(Scripts.Approve());

        var jobId = await Client.SubmitAsync(scenario.Feature("Stay within 100 tokens") with { Budget = new JobBudget(Tokens: 100) });
        var done = await Client.WaitForEndAsync(jobId, JobStatus.Failed, scenario);

        Assert.Equal("Coder task failed: budget exceeded: the job has used 120 tokens of its budget of 100", done.Job.Error);
        // The first call crossed the budget; the second was never made, and nothing reached the Reviewer.
        Assert.Equal((1, 1), (scenario.Coder.Remaining, scenario.Reviewer.Remaining));
        Assert.DoesNotContain(done.Tasks, t => t.MessageType == MessageTypes.ReviewRequest);
        Assert.Empty(scenario.Llm.Unscripted);
        // The failed task's one call was paid for: it counts for the task and the job (100 × 2.5 + 20 × 10 per 10⁶).
        Assert.Equal(new TokenUsage(100, 20, 0.00045m), done.Job.TokenUsage);
        Assert.Equal(new TokenUsage(100, 20, 0.00045m), Assert.Single(done.Tasks, t => t.MessageType == MessageTypes.ImplementationRequest).TokenUsage);
    }

    [Fact]
    public async Task A_job_past_80_percent_of_its_budget_is_warned_once_and_completes_within_it()
    {
        await using var scenario = await Scenario.StartAsync(Fixture);
        scenario.Coder.Enqueue(Scripts.WriteMarkerFile(scenario)); // 250 tokens: past 80 % of 300
        scenario.Reviewer.Enqueue(Scripts.Approve()); // asked at 250 < 300, so the review is made; the merge needs no model

        var jobId = await Client.SubmitAsync(scenario.Feature("Come close to 300 tokens") with { Budget = new JobBudget(Tokens: 300) });
        var done = await Client.WaitForEndAsync(jobId, JobStatus.Completed, scenario);

        var warning = Assert.Single(done.Timeline, e => e.Type == JobEventTypes.BudgetWarning);
        Assert.Equal("budget 80 % used: the job has used 250 tokens of its budget of 300", warning.Message);
    }

    [Fact]
    public async Task A_job_past_its_cost_budget_after_the_implementation_fails_before_the_review_is_asked_for()
    {
        await using var scenario = await Scenario.StartAsync(Fixture);
        scenario.Coder.Enqueue(Scripts.WriteMarkerFile(scenario)); // costs 0.00055, then 0.0003: 0.00085 in all
        scenario.Reviewer.Enqueue(Scripts.Approve());

        var jobId = await Client.SubmitAsync(scenario.Feature("Stay within 0.0008") with { Budget = new JobBudget(Cost: 0.0008m) });
        var done = await Client.WaitForEndAsync(jobId, JobStatus.Failed, scenario);

        Assert.Equal("budget exceeded: the job has cost about 0.0009 of its budget of 0.0008", done.Job.Error);
        Assert.Equal(new TokenUsage(220, 30, 0.00085m), done.Job.TokenUsage);
        Assert.Equal((0, 1), (scenario.Coder.Remaining, scenario.Reviewer.Remaining));
        Assert.DoesNotContain(done.Tasks, t => t.MessageType == MessageTypes.ReviewRequest);
    }

    [Fact]
    public async Task A_rejected_change_fails_the_job_and_closes_its_pull_request()
    {
        await using var scenario = await Scenario.StartAsync(Fixture);
        var jobId = (await Client.RunToApprovalAsync(scenario, scenario.Feature("Wait for a person", requireApproval: true))).Job.JobId;

        var rejected = await CliRunner.RunAsAsync(Fixture, NatsUsers.Operator, "reject", jobId, "--reason", "not this quarter");
        var done = await Client.WaitForEndAsync(jobId, JobStatus.Failed, scenario);

        Assert.Equal(ExitCodes.Ok, rejected.ExitCode);
        Assert.Equal(JobStatus.Failed, done.Job.Status);
        Assert.EndsWith(": not this quarter", done.Job.Error, StringComparison.Ordinal);
        Assert.StartsWith("rejected by ", done.Job.Error, StringComparison.Ordinal);
        await Eventually.ReturnsAsync(
            async _ => (await Client.PullRequests.GetAsync(scenario.Repository, 1))!.State, state => state == PullRequestState.Closed,
            SystemClient.DefaultPatience, "the rejected job's pull request to be closed");
        Assert.Single(await scenario.CommitsAsync("main"));
    }
}
