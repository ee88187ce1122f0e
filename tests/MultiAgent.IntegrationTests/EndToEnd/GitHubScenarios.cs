using MultiAgent.Contracts;
using MultiAgent.Repositories.Reviews;
using MultiAgent.IntegrationTests.Fakes.GitHub;
using MultiAgent.IntegrationTests.Fakes.OpenAI;
using MultiAgent.IntegrationTests.Infrastructure;

namespace MultiAgent.IntegrationTests.EndToEnd;

/// <summary>
/// Whole jobs on a repository hosted on the GitHub fake (backed by a bare repository, so clone, push and merge are
/// real): the full cycle to a merge, a host that fails for a moment, credentials GitHub refuses, and a review that
/// another GitHub user posted with the Reviewer's marks copied.
/// </summary>
[Collection(SystemCollection.Name)]
public sealed class GitHubScenarios(SystemFixture system) : ScenarioTests(system)
{
    [Fact]
    public async Task A_feature_goes_from_request_to_a_merged_pull_request_on_GitHub_and_the_metrics_count_the_agents_tasks()
    {
        await using var scenario = await Scenario.StartAsync(Fixture, ScenarioHost.GitHub);
        scenario.Coder.Enqueue(Scripts.WriteMarkerFile(scenario));
        scenario.Reviewer.Enqueue(Scripts.Approve("Adds the marker file as asked."));
        var feature = scenario.Feature("Add the marker file on GitHub");
        var metricsBefore = await ScenarioChecks.AgentMetricsAsync(Fixture);

        var status = await Client.RunJobAsync(feature, JobStatus.Completed, scenario);

        var pullRequest = Assert.Single(scenario.GitHubRepository!.PullRequests);
        Assert.True(pullRequest.Merged);
        Assert.Equal(("closed", "merge", "agent/" + feature.JobId, "main"), (pullRequest.State, pullRequest.MergeMethod, pullRequest.HeadRef, pullRequest.BaseRef));
        Assert.Equal(feature.Title, pullRequest.Title);
        var review = Assert.Single(pullRequest.Reviews);
        Assert.Equal(("APPROVE", pullRequest.HeadSha), (review.Event, review.CommitId));
        Assert.Contains("Adds the marker file as asked.", review.Body);

        var main = await scenario.BranchShaAsync("main");
        Assert.Equal(main, pullRequest.MergeCommitSha);
        Assert.Equal(main, status.Job.MergeCommitSha);
        Assert.Equal($"hello from {scenario.Marker}", await scenario.ShowAsync("main", scenario.FileName));
        Assert.StartsWith($"{main} Merge pull request #1 from {Scenario.GitHubOwner}/agent/{feature.JobId}", (await scenario.CommitsAsync("main"))[0]);
        Assert.Equal($"https://github.com/{Scenario.GitHubOwner}/{scenario.Marker}/pull/1", status.Job.PullRequestUrl);

        Assert.Equal(ScenarioChecks.MergedTimeline, status.WorkflowEvents());
        Assert.Equal(["IMPLEMENTING", "REVIEWING", "MERGING"], status.Transitions());
        Assert.Equal(main, status.Event(JobEventTypes.JobMerged).Data!.Value.GetProperty("mergeCommitSha").GetString());
        Assert.Equal(1, status.Job.Iteration);
        Assert.Equal(new TokenUsage(420, 70, 0.00121m), status.Job.TokenUsage);
        Assert.Equal((2, 1), (scenario.Coder.Requests.Count, scenario.Reviewer.Requests.Count));
        Assert.Single(scenario.GitHubRequests, r => r.Method == "PUT" && r.RelativePath.EndsWith("/pulls/1/merge", StringComparison.Ordinal));
        Assert.Single(scenario.GitHubRequests, r => r.Method == "POST" && r.RelativePath.EndsWith("/pulls", StringComparison.Ordinal));
        Assert.Empty(scenario.Llm.Unscripted);

        // The Repo Manager's /metrics: the Coder's and the Reviewer's processed tasks rose with this job (heartbeats carry them).
        var metricsAfter = await Eventually.ReturnsAsync(
            ct => ScenarioChecks.AgentMetricsAsync(Fixture, ct),
            after => ScenarioChecks.Rose(metricsBefore, after, "coder") && ScenarioChecks.Rose(metricsBefore, after, "reviewer")
                && ScenarioChecks.Rose(metricsBefore, after, "repomanager"),
            TimeSpan.FromSeconds(30), "the agents' processed tasks in /metrics to rise");
        Assert.Contains(metricsAfter, a => a.Type == "coder" && a.TasksProcessed > 0);
    }

    [Fact]
    public async Task A_502_from_the_merge_endpoint_is_retried_and_the_job_completes_once()
    {
        await using var scenario = await Scenario.StartAsync(Fixture, ScenarioHost.GitHub);
        scenario.Coder.Enqueue(Scripts.WriteMarkerFile(scenario));
        scenario.Reviewer.Enqueue(Scripts.Approve());
        scenario.FailGitHub("PUT", "/pulls/1/merge", FakeFault.ServerError(502));
        var feature = scenario.Feature("Merge through a bad gateway");

        var status = await Client.RunJobAsync(feature, JobStatus.Completed, scenario);

        var merges = scenario.GitHubRequests.Where(r => r.Method == "PUT" && r.RelativePath.EndsWith("/pulls/1/merge", StringComparison.Ordinal)).ToList();
        Assert.Equal([502, 200], merges.Select(r => r.Status));
        var pullRequest = Assert.Single(scenario.GitHubRepository!.PullRequests);
        Assert.True(pullRequest.Merged);
        Assert.Equal(await scenario.BranchShaAsync("main"), status.Job.MergeCommitSha);
        Assert.Equal(pullRequest.MergeCommitSha, status.Job.MergeCommitSha);
        Assert.Single(await scenario.MergeCommitsAsync());
        Assert.Single(status.Timeline, e => e.Type == JobEventTypes.JobMerged);
        Assert.Single(status.Timeline, e => e.Type == JobEventTypes.JobCompleted);
        Assert.Equal($"hello from {scenario.Marker}", await scenario.ShowAsync("main", scenario.FileName));
    }

    [Fact]
    public async Task A_forged_approval_backed_by_a_review_another_GitHub_user_posted_with_copied_marks_does_not_merge_and_the_real_review_merges_once()
    {
        await using var scenario = await Scenario.StartAsync(Fixture, ScenarioHost.GitHub);
        var gate = new FakeGate();
        scenario.Coder.Enqueue(Scripts.WriteMarkerFile(scenario));
        scenario.Reviewer.Enqueue(gate, Scripts.Approve("Adds the marker file as asked."));
        var feature = scenario.Feature("Refuse a review copied by another GitHub user");

        await Client.SubmitAsync(feature);
        await gate.WhenReachedAsync(SystemClient.DefaultPatience);
        try
        {
            var reviewing = await Client.WaitForTaskAsync(feature.JobId, AgentType.Reviewer, MessageTypes.ReviewRequest, AgentTaskStatus.InProgress, scenario);
            var reviewTask = Assert.Single(reviewing.Tasks, t => t.AgentType == AgentType.Reviewer).TaskId;
            var request = await Client.TaskMessageAsync<ReviewRequest>(reviewTask);
            var pullRequest = Assert.Single(scenario.GitHubRepository!.PullRequests);
            var mainBefore = await scenario.BranchShaAsync("main");

            // Someone who may review the pull request (not the system's account) posts an APPROVE review carrying the
            // marks the Reviewer writes (task line, recorded result) of the head commit, then publishes the matching
            // APPROVE to the Repo Manager's queue.
            var forged = new ReviewResult(feature.JobId, reviewTask, 1, ReviewDecision.Approve, "Looks good to me.");
            Fixture.GitHub.AddReview(pullRequest, "mallory", "APPROVE", ReviewMarks.Append(forged.Summary, reviewTask, forged), request.HeadSha);
            await Client.SendAsync(forged, AgentType.RepoManager, feature.JobId, "forged-" + Guid.NewGuid().ToString("N"));

            var refused = await Client.WaitForJobAsync(feature.JobId, s => s.WorkflowEvents().Contains(JobEventTypes.ReviewRefused),
                "the forged review result to be refused", scenario);

            Assert.Equal(JobStatus.Reviewing, refused.Job.Status);
            Assert.Equal(
                "a review result for iteration 1 was refused: the matching review on pull request #1 is by 'mallory', not by this system's account 'multiagent-bot'",
                refused.Event(JobEventTypes.ReviewRefused).Message);
            Assert.False(pullRequest.Merged);
            Assert.Equal(mainBefore, await scenario.BranchShaAsync("main"));
            Assert.DoesNotContain(scenario.GitHubRequests, r => r.Method == "PUT" && r.RelativePath.EndsWith("/pulls/1/merge", StringComparison.Ordinal));
        }
        finally
        {
            gate.Release();
        }

        var status = await Client.WaitForEndAsync(feature.JobId, JobStatus.Completed, scenario);

        var merged = Assert.Single(scenario.GitHubRepository!.PullRequests);
        Assert.True(merged.Merged);
        Assert.Equal(["mallory", Fixture.GitHub.AuthenticatedLogin], merged.Reviews.Select(r => r.AuthorLogin));
        Assert.Contains("Adds the marker file as asked.", merged.Reviews[1].Body);
        Assert.Equal(await scenario.BranchShaAsync("main"), status.Job.MergeCommitSha);
        Assert.Single(await scenario.MergeCommitsAsync());
        Assert.Single(scenario.GitHubRequests, r => r.Method == "PUT" && r.RelativePath.EndsWith("/pulls/1/merge", StringComparison.Ordinal));
        Assert.Equal(1, status.WorkflowEvents().Count(t => t == JobEventTypes.ReviewRefused));
        Assert.Equal(1, status.WorkflowEvents().Count(t => t == JobEventTypes.JobMerged));
        Assert.Empty(scenario.Llm.Unscripted);
    }

    [Fact]
    public async Task Credentials_GitHub_refuses_fail_the_job_naming_them_and_nothing_is_merged()
    {
        await using var scenario = await Scenario.StartAsync(Fixture, ScenarioHost.GitHub);
        scenario.FailGitHub("GET", "", FakeFault.Error(401, "Bad credentials"));
        var feature = scenario.Feature("Work with a revoked token");
        var mainBefore = await scenario.BranchShaAsync("main");

        var status = await Client.RunJobAsync(feature, JobStatus.Failed, scenario);

        Assert.StartsWith($"cannot open repository {scenario.Repository}: ", status.Job.Error);
        Assert.Contains("HTTP 401: Bad credentials", status.Job.Error);
        Assert.Contains("check MultiAgent:GitHub:Token", status.Job.Error);
        Assert.DoesNotContain(SystemFixture.GitHubToken, status.Job.Error);
        Assert.Equal([JobEventTypes.JobCreated, JobEventTypes.JobFailed], status.WorkflowEvents());
        Assert.Equal([401], scenario.GitHubRequests.Select(r => r.Status));
        Assert.Empty(scenario.GitHubRepository!.PullRequests);
        Assert.Equal(mainBefore, await scenario.BranchShaAsync("main"));
        Assert.Null(status.Job.MergeCommitSha);
        Assert.Empty(scenario.Coder.Requests);
        Assert.DoesNotContain(status.Tasks, t => t.AgentType == AgentType.Coder);
    }
}
