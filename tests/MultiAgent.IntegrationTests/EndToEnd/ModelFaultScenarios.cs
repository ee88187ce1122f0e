using MultiAgent.Contracts;
using MultiAgent.Repositories;
using MultiAgent.IntegrationTests.Fakes.OpenAI;
using MultiAgent.IntegrationTests.Infrastructure;

namespace MultiAgent.IntegrationTests.EndToEnd;

/// <summary>
/// Whole jobs (local-git repositories) while the model misbehaves: rate limits and timeouts are retried inside the call
/// and the job completes; a rejected key and a review the model cannot write as JSON fail the job with a reason a user
/// can act on.
/// </summary>
[Collection(SystemCollection.Name)]
public sealed class ModelFaultScenarios(SystemFixture system) : ScenarioTests(system)
{
    [Fact]
    public async Task A_429_with_Retry_After_is_waited_out_and_the_job_completes()
    {
        await using var scenario = await Scenario.StartAsync(Fixture);
        scenario.Coder.Enqueue([Fault.TooManyRequests(retryAfter: 1), .. Scripts.WriteMarkerFile(scenario)]);
        scenario.Reviewer.Enqueue(Scripts.Approve());
        var feature = scenario.Feature("Survive a rate limit");

        var status = await Client.RunJobAsync(feature, JobStatus.Completed, scenario);

        var asked = scenario.Coder.Requests;
        Assert.Equal(3, asked.Count);
        Assert.True(asked[1].Arrived - asked[0].Arrived >= TimeSpan.FromSeconds(1), $"retried after {asked[1].Arrived - asked[0].Arrived}");
        Assert.Equal(asked[0].Body, asked[1].Body);
        Assert.Single(scenario.Reviewer.Requests);
        Assert.Equal(1, Assert.Single(status.Tasks, t => t.AgentType == AgentType.Coder).Attempts);
        Assert.Equal(ScenarioChecks.MergedTimeline, status.WorkflowEvents());
        Assert.Equal($"hello from {scenario.Marker}", await scenario.ShowAsync("main", scenario.FileName));
        Assert.Empty(scenario.Llm.Unscripted);
    }

    [Fact]
    public async Task A_401_from_the_model_fails_the_job_at_once_naming_the_credentials()
    {
        await using var scenario = await Scenario.StartAsync(Fixture);
        scenario.Coder.Enqueue(Fault.Unauthorized());
        var feature = scenario.Feature("Use a revoked key");

        var status = await Client.RunJobAsync(feature, JobStatus.Failed, scenario);

        Assert.Contains("rejected the credentials (HTTP 401)", status.Job.Error);
        Assert.Contains("Incorrect API key provided", status.Job.Error);
        Assert.DoesNotContain(SystemFixture.LlmApiKey, status.Job.Error);
        Assert.Single(scenario.Coder.Requests);
        Assert.Empty(scenario.Reviewer.Requests);
        var task = Assert.Single(status.Tasks, t => t.AgentType == AgentType.Coder);
        Assert.Equal((AgentTaskStatus.Failed, 1), (task.Status, task.Attempts));
        Assert.Contains("rejected the credentials (HTTP 401)", status.Event(JobEventTypes.JobFailed).Message);
        Assert.DoesNotContain(JobEventTypes.PullRequestOpened, status.WorkflowEvents());
        Assert.Null(await scenario.BranchShaAsync("agent/" + feature.JobId));
        Assert.Single(await scenario.CommitsAsync("main"));
    }

    [Fact]
    public async Task A_model_that_answers_too_late_is_asked_again_and_the_job_completes()
    {
        await using var scenario = await Scenario.StartAsync(Fixture);
        var late = SystemFixture.LlmRequestTimeout + TimeSpan.FromSeconds(5);
        scenario.Coder.Enqueue([Reply.ToolCall("write_file", new { path = scenario.FileName, content = "too late\n" }).After(late),
            .. Scripts.WriteMarkerFile(scenario)]);
        scenario.Reviewer.Enqueue(Scripts.Approve());
        var feature = scenario.Feature("Survive a slow model");

        var status = await Client.RunJobAsync(feature, JobStatus.Completed, scenario);

        var asked = scenario.Coder.Requests;
        Assert.Equal(3, asked.Count);
        // Asked again after the request timeout, not at once and not after the late answer. Arrivals are stamped by the
        // fake server, which on a loaded machine may stamp the first request up to a second after the Coder sent it.
        Assert.InRange(asked[1].Arrived - asked[0].Arrived, SystemFixture.LlmRequestTimeout - TimeSpan.FromSeconds(1), late);
        Assert.Equal(1, Assert.Single(status.Tasks, t => t.AgentType == AgentType.Coder).Attempts);
        Assert.Equal($"hello from {scenario.Marker}", await scenario.ShowAsync("main", scenario.FileName));
        Assert.Equal(status.Job.MergeCommitSha, await scenario.BranchShaAsync("main"));
        Assert.Empty(scenario.Llm.Unscripted);
    }

    [Fact]
    public async Task A_review_that_is_not_JSON_is_repaired_once_and_the_job_completes()
    {
        await using var scenario = await Scenario.StartAsync(Fixture);
        scenario.Coder.Enqueue(Scripts.WriteMarkerFile(scenario));
        scenario.Reviewer.Enqueue(Reply.Text("Looks good to me, ship it!"), Scripts.Approve("Adds the marker file."));
        var feature = scenario.Feature("Review in prose first");

        var status = await Client.RunJobAsync(feature, JobStatus.Completed, scenario);

        var asked = scenario.Reviewer.Requests;
        Assert.Equal(2, asked.Count);
        Assert.Contains("Your reply was not valid", asked[1].Body);
        Assert.Contains("Looks good to me, ship it!", asked[1].Body);
        var review = Assert.Single(await Client.PullRequests.ListReviewsAsync(scenario.Repository, 1));
        Assert.Equal(ReviewDecision.Approve, review.Decision);
        Assert.Contains("Adds the marker file.", status.Event(JobEventTypes.ReviewPosted).Message);
        Assert.Equal(1, Assert.Single(status.Tasks, t => t.AgentType == AgentType.Reviewer).Attempts);
        Assert.Single(await scenario.MergeCommitsAsync());
    }

    [Fact]
    public async Task A_review_that_stays_malformed_fails_the_job_with_the_Reviewers_reason_and_nothing_is_posted()
    {
        await using var scenario = await Scenario.StartAsync(Fixture);
        scenario.Coder.Enqueue(Scripts.WriteMarkerFile(scenario));
        scenario.Reviewer.Enqueue(Reply.Text("Looks good to me, ship it!"), Reply.Text("{\"decision\": \"MAYBE\", \"summary\": \"hmm\"}"));
        var feature = scenario.Feature("Review in prose twice");

        var status = await Client.RunJobAsync(feature, JobStatus.Failed, scenario);

        Assert.StartsWith("Reviewer task failed: the model's review was not valid JSON: ", status.Job.Error);
        Assert.Contains("MAYBE", status.Job.Error);
        Assert.Equal(2, scenario.Reviewer.Requests.Count);
        var task = Assert.Single(status.Tasks, t => t.AgentType == AgentType.Reviewer);
        Assert.Equal((AgentTaskStatus.Failed, 1), (task.Status, task.Attempts));
        Assert.Empty(await Client.PullRequests.ListReviewsAsync(scenario.Repository, 1));
        Assert.Equal(PullRequestState.Open, (await Client.PullRequests.GetAsync(scenario.Repository, 1))!.State);
        Assert.DoesNotContain(JobEventTypes.ReviewPosted, status.WorkflowEvents());
        Assert.Single(await scenario.CommitsAsync("main"));
    }
}
