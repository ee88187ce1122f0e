using MultiAgent.Cli;
using MultiAgent.Contracts;
using MultiAgent.Hosting.Nats;
using MultiAgent.Repositories;
using MultiAgent.IntegrationTests.Cli;
using MultiAgent.IntegrationTests.Fakes.OpenAI;
using MultiAgent.IntegrationTests.Infrastructure;
using MultiAgent.IntegrationTests.Repositories.Local;

namespace MultiAgent.IntegrationTests.EndToEnd;

/// <summary>
/// Whole jobs (local-git repositories) while something else happens at the same time: main moves under a job waiting
/// for approval, the Reviewer's process dies in the middle of its task, two jobs run side by side.
/// </summary>
[Collection(SystemFaultsCollection.Name)]
public sealed class ConcurrencyScenarios(SystemFixture system) : ScenarioTests(system)
{
    [Fact]
    public async Task A_conflicting_change_on_main_while_awaiting_approval_sends_the_job_back_to_the_Coder_and_it_merges_after_a_second_approval()
    {
        await using var scenario = await Scenario.StartAsync(Fixture);
        var feature = scenario.Feature("Race a colleague", requireApproval: true);

        await Client.RunToApprovalAsync(scenario, feature);
        using var colleague = new GitSandbox();
        var theirs = await colleague.CommitAsync(scenario.GitDirectory, "main", scenario.FileName, "theirs\n", "A colleague's change");
        // The approved merge conflicts: the job goes back to the Coder, who resolves it (keeping both), and through review.
        scenario.Coder.Enqueue(Scripts.WriteFileAndFinish(scenario.FileName, $"theirs\nhello from {scenario.Marker}\n", "Kept both changes."));
        scenario.Reviewer.Enqueue(Scripts.Approve("Both changes kept."));
        var approved = await CliRunner.RunAsAsync(Fixture, NatsUsers.Operator, "approve", feature.JobId);
        var again = await Client.WaitForJobAsync(feature.JobId, s => s.Job.Status == JobStatus.AwaitingApproval && s.Job.Iteration == 2,
            "the resolved change to wait for approval again", scenario);

        Assert.True(approved.ExitCode == ExitCodes.Ok, approved.ToString());
        Assert.Equal(theirs, await scenario.BranchShaAsync("main"));
        var conflict = again.Timeline.Single(e => e.Type == JobEventTypes.JobTransition && e.Message.StartsWith("MERGING → IMPLEMENTING: ", StringComparison.Ordinal));
        Assert.Contains("merge conflict: pull request #1 could not be merged into main: ", conflict.Message);
        Assert.Contains($"conflicts with 'main' in {scenario.FileName}; nothing was merged", conflict.Message);
        // The conflict round's first request to the model: the conflicting file, named.
        Assert.Contains("these files conflict: " + scenario.FileName, System.Text.RegularExpressions.Regex.Unescape(scenario.Coder.Requests[^2].Body));

        // Approval is per iteration: the second one merges the resolution.
        var second = await CliRunner.RunAsAsync(Fixture, NatsUsers.Operator, "approve", feature.JobId);
        var status = await Client.WaitForEndAsync(feature.JobId, JobStatus.Completed, scenario);

        Assert.True(second.ExitCode == ExitCodes.Ok, second.ToString());
        Assert.Equal($"theirs\nhello from {scenario.Marker}", await scenario.ShowAsync("main", scenario.FileName));
        Assert.True(await scenario.IsAncestorAsync(theirs, status.Job.MergeCommitSha!));
        Assert.Equal(PullRequestState.Merged, (await Client.PullRequests.GetAsync(scenario.Repository, 1))!.State);
        Assert.Equal(["IMPLEMENTING", "REVIEWING", "AWAITING_APPROVAL", "MERGING", "IMPLEMENTING", "REVIEWING", "AWAITING_APPROVAL", "MERGING"], status.Transitions());
    }

    [Fact]
    public async Task A_Reviewer_killed_in_the_middle_of_its_review_is_restarted_by_the_AppHost_and_the_job_completes_exactly_once()
    {
        await using var scenario = await Scenario.StartAsync(Fixture);
        var gate = new FakeGate();
        scenario.Coder.Enqueue(Scripts.WriteMarkerFile(scenario));
        scenario.Reviewer.Enqueue(gate, Scripts.Approve());
        var feature = scenario.Feature("Survive a dying Reviewer");

        await Client.SubmitAsync(feature);
        await gate.WhenReachedAsync(SystemClient.DefaultPatience);
        var killed = await SystemProcesses.KillAsync(Fixture, "reviewer");
        try
        {
            await Eventually.ReturnsAsync(_ => Task.FromResult(gate.Waiting), n => n == 0, TimeSpan.FromSeconds(30), "the killed Reviewer's request to end");
        }
        finally
        {
            gate.Release();
        }

        await SystemProcesses.WaitUntilRestartedAsync(Fixture, "reviewer", killed);

        var status = await Client.WaitForEndAsync(feature.JobId, JobStatus.Completed, scenario);

        Assert.NotEqual(killed, SystemProcesses.ProcessId(Fixture, "reviewer"));
        var review = Assert.Single(await Client.PullRequests.ListReviewsAsync(scenario.Repository, 1));
        Assert.Equal(ReviewDecision.Approve, review.Decision);
        var merges = await scenario.MergeCommitsAsync();
        Assert.Single(merges);
        Assert.StartsWith(status.Job.MergeCommitSha + " ", merges[0]);
        Assert.Equal(status.Job.MergeCommitSha, await scenario.BranchShaAsync("main"));
        Assert.Equal(ScenarioChecks.MergedTimeline, status.WorkflowEvents());
        var task = Assert.Single(status.Tasks, t => t.AgentType == AgentType.Reviewer);
        Assert.Equal(AgentTaskStatus.Completed, task.Status);
        Assert.True(task.Attempts >= 2, SystemClient.Describe(status));
        Assert.Equal(2, scenario.Reviewer.Requests.Count);
        Assert.Equal(0, scenario.Reviewer.Remaining);
        Assert.Empty(scenario.Llm.Unscripted);
    }

    [Fact]
    public async Task A_forged_approval_sent_while_the_Reviewer_works_is_refused_and_the_real_review_merges_once()
    {
        await using var scenario = await Scenario.StartAsync(Fixture);
        var gate = new FakeGate();
        scenario.Coder.Enqueue(Scripts.WriteMarkerFile(scenario));
        scenario.Reviewer.Enqueue(gate, Scripts.Approve());
        var feature = scenario.Feature("Refuse a forged approval");

        await Client.SubmitAsync(feature);
        await gate.WhenReachedAsync(SystemClient.DefaultPatience);
        try
        {
            // Anyone who may publish to the Repo Manager's queue: an APPROVE for the review the Reviewer is working on.
            var reviewing = await Client.WaitForTaskAsync(feature.JobId, AgentType.Reviewer, MessageTypes.ReviewRequest, AgentTaskStatus.InProgress, scenario);
            var reviewTask = Assert.Single(reviewing.Tasks, t => t.AgentType == AgentType.Reviewer).TaskId;
            var mainBefore = await scenario.BranchShaAsync("main");
            var forged = new ReviewResult(feature.JobId, reviewTask, 1, ReviewDecision.Approve, "Looks good to me.");
            await Client.SendAsync(forged, AgentType.RepoManager, feature.JobId, "forged-" + Guid.NewGuid().ToString("N"));

            var refused = await Client.WaitForJobAsync(feature.JobId, s => s.WorkflowEvents().Contains(JobEventTypes.ReviewRefused),
                "the forged review result to be refused", scenario);

            Assert.Equal(JobStatus.Reviewing, refused.Job.Status);
            Assert.Equal("a review result for iteration 1 was refused: no matching review on pull request #1",
                refused.Event(JobEventTypes.ReviewRefused).Message);
            Assert.Equal(mainBefore, await scenario.BranchShaAsync("main"));
            Assert.Empty(await scenario.MergeCommitsAsync());
            Assert.Equal(PullRequestState.Open, (await Client.PullRequests.GetAsync(scenario.Repository, 1))!.State);
        }
        finally
        {
            gate.Release();
        }

        var status = await Client.WaitForEndAsync(feature.JobId, JobStatus.Completed, scenario);

        var merges = await scenario.MergeCommitsAsync();
        Assert.Single(merges);
        Assert.StartsWith(status.Job.MergeCommitSha + " ", merges[0]);
        Assert.Equal(status.Job.MergeCommitSha, await scenario.BranchShaAsync("main"));
        Assert.Equal(ReviewDecision.Approve, Assert.Single(await Client.PullRequests.ListReviewsAsync(scenario.Repository, 1)).Decision);
        Assert.Equal(1, status.WorkflowEvents().Count(t => t == JobEventTypes.ReviewRefused));
        Assert.Equal(1, status.WorkflowEvents().Count(t => t == JobEventTypes.JobMerged));
        Assert.Empty(scenario.Llm.Unscripted);
    }

    [Fact]
    public async Task Two_jobs_on_two_repositories_submitted_together_both_complete_each_merged_into_its_own()
    {
        await using var first = await Scenario.StartAsync(Fixture);
        await using var second = await Scenario.StartAsync(Fixture);
        Scenario[] scenarios = [first, second];
        foreach (var scenario in scenarios)
        {
            scenario.Coder.Enqueue(Scripts.WriteMarkerFile(scenario));
            scenario.Reviewer.Enqueue(Scripts.Approve());
        }

        var features = scenarios.Select(s => s.Feature("Run side by side")).ToArray();

        await Task.WhenAll(features.Select(f => Client.SubmitAsync(f)));
        var statuses = await Task.WhenAll(scenarios.Zip(features, (s, f) => Client.WaitForEndAsync(f.JobId, JobStatus.Completed, s)));

        for (var i = 0; i < 2; i++)
        {
            var (scenario, status) = (scenarios[i], statuses[i]);
            Assert.Equal(scenario.Repository, status.Job.Repository);
            Assert.Equal(status.Job.MergeCommitSha, await scenario.BranchShaAsync("main"));
            Assert.Single(await scenario.MergeCommitsAsync());
            Assert.Equal($"hello from {scenario.Marker}", await scenario.ShowAsync("main", scenario.FileName));
            Assert.Equal(["README.md", scenario.FileName], (await scenario.ShowAsync("main", "")).Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1));
            Assert.Equal(ScenarioChecks.MergedTimeline, status.WorkflowEvents());
            Assert.Equal((2, 1), (scenario.Coder.Requests.Count, scenario.Reviewer.Requests.Count));
        }

        Assert.NotEqual(statuses[0].Job.MergeCommitSha, statuses[1].Job.MergeCommitSha);
    }
}
