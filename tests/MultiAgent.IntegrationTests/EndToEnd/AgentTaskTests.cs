using MultiAgent.Contracts;
using MultiAgent.Repositories;
using MultiAgent.Repositories.GitHub;
using MultiAgent.IntegrationTests.Fakes.GitHub;
using MultiAgent.IntegrationTests.Fakes.OpenAI;
using MultiAgent.IntegrationTests.Infrastructure;

namespace MultiAgent.IntegrationTests.EndToEnd;

/// <summary>
/// The Coder and the Reviewer as processes of the running system, each given its task directly on the bus (as the Repo
/// Manager's workflow will), with the scripted model and the repository hosts of the end-to-end kit: the proof that
/// the kit's pieces (model routing by scenario, bare repositories, the GitHub fake backed by git, waiting on the query
/// API) work together.
/// </summary>
[Collection(SystemFaultsCollection.Name)]
public sealed class AgentTaskTests(SystemFixture system) : IAsyncLifetime
{
    private SystemClient _client = null!;

    public async Task InitializeAsync() => _client = await SystemClient.ConnectAsync(system);

    public async Task DisposeAsync() => await _client.DisposeAsync();

    [Fact]
    public async Task The_Coder_opens_pull_request_1_on_a_local_repository_and_answers_the_Repo_Manager()
    {
        await using var scenario = await Scenario.StartAsync(system);
        scenario.Coder.Enqueue(Scripts.WriteMarkerFile(scenario));
        var feature = scenario.Feature("Write the marker file");

        var result = await _client.ImplementAsync(scenario, feature);

        var branch = "agent/" + feature.JobId;
        Assert.True(result.Succeeded);
        Assert.Equal((feature.JobId, branch, 1), (result.JobId, result.Branch, result.PullRequestNumber));
        Assert.Equal([scenario.FileName], result.FilesChanged);
        Assert.Equal(new TokenUsage(220, 30, 0.00085m), result.TokenUsage); // at the Coder's prices: (220 × 2.5 + 30 × 10) / 10⁶
        Assert.Equal(CheckOutcome.Passed, result.Check);
        Assert.Contains("sandboxed check as nobody", result.CheckOutput, StringComparison.Ordinal);
        var pullRequest = await _client.PullRequests.GetAsync(scenario.Repository, 1);
        Assert.NotNull(pullRequest);
        Assert.Equal((branch, "main", PullRequestState.Open), (pullRequest.HeadBranch, pullRequest.BaseBranch, pullRequest.State));
        var commits = await scenario.CommitsAsync(branch);
        Assert.Equal(2, commits.Count);
        Assert.StartsWith(result.HeadSha + " ", commits[0], StringComparison.Ordinal);
        Assert.Equal($"hello from {scenario.Marker}", await scenario.ShowAsync(branch, scenario.FileName));
        Assert.Single(await scenario.CommitsAsync("main"));

        Assert.Equal(2, scenario.Coder.Requests.Count);
        Assert.All(scenario.Coder.Requests, r => Assert.Equal(SystemFixture.CoderModel, r.Model));
        Assert.Empty(scenario.Reviewer.Requests);
        Assert.Empty(scenario.Llm.Unscripted);
    }

    [Fact]
    public async Task The_Reviewer_approves_the_Coders_pull_request_and_the_review_is_stored()
    {
        await using var scenario = await Scenario.StartAsync(system);
        scenario.Coder.Enqueue(Scripts.WriteMarkerFile(scenario));
        scenario.Reviewer.Enqueue(Scripts.Approve("Adds the marker file as asked."));
        var implemented = await _client.ImplementAsync(scenario, scenario.Feature("Write the marker file"));

        var result = await _client.ReviewAsync(scenario, implemented);

        Assert.Equal(ReviewDecision.Approve, result.Decision);
        Assert.Equal("Adds the marker file as asked.", result.Summary);
        var review = Assert.Single(await _client.PullRequests.ListReviewsAsync(scenario.Repository, 1));
        Assert.Equal(ReviewDecision.Approve, review.Decision);
        Assert.Equal(implemented.HeadSha, review.CommitSha);
        var asked = Assert.Single(scenario.Reviewer.Requests);
        Assert.Equal(SystemFixture.ReviewerModel, asked.Model);
        Assert.Contains($"+hello from {scenario.Marker}", asked.Body, StringComparison.Ordinal);
        Assert.Empty(scenario.Llm.Unscripted);
    }

    [Fact]
    public async Task A_Coder_killed_in_the_middle_of_its_task_is_restarted_by_the_AppHost_and_finishes_it()
    {
        await using var scenario = await Scenario.StartAsync(system);
        var gate = new FakeGate();
        scenario.Coder.Enqueue([gate, .. Scripts.WriteMarkerFile(scenario)]);
        var feature = scenario.Feature("Survive a crash");

        var implementing = _client.ImplementAsync(scenario, feature);
        await gate.WhenReachedAsync(SystemClient.DefaultPatience);
        var killed = await SystemProcesses.KillAsync(system, "coder");
        await Eventually.ReturnsAsync(_ => Task.FromResult(gate.Waiting), n => n == 0, TimeSpan.FromSeconds(30), "the killed Coder's request to end");
        gate.Release();
        await SystemProcesses.WaitUntilRestartedAsync(system, "coder", killed);
        var result = await implementing;

        Assert.Equal(1, result.PullRequestNumber);
        Assert.Equal($"hello from {scenario.Marker}", await scenario.ShowAsync(result.Branch, scenario.FileName));
        Assert.Equal(0, scenario.Coder.Remaining);
        Assert.Empty(scenario.Llm.Unscripted);
        var status = await _client.Queries.JobStatusAsync(feature.JobId);
        Assert.True(status.Tasks.Single(t => t.AgentType == AgentType.Coder).Attempts >= 2, SystemClient.Describe(status));
    }

    [Fact]
    public async Task On_GitHub_the_Coder_clones_and_pushes_the_bare_repository_through_a_503_and_a_merge_lands_on_main()
    {
        await using var scenario = await Scenario.StartAsync(system, ScenarioHost.GitHub);
        scenario.FailGitHub("GET", "", FakeFault.ServerError());
        scenario.Coder.Enqueue(Scripts.WriteMarkerFile(scenario));
        scenario.Reviewer.Enqueue(Scripts.Approve());

        var implemented = await _client.ImplementAsync(scenario, scenario.Feature("Write the marker file"));
        var reviewed = await _client.ReviewAsync(scenario, implemented);

        var pullRequest = Assert.Single(scenario.GitHubRepository!.PullRequests);
        Assert.Equal((1, implemented.Branch), (pullRequest.Number, pullRequest.HeadRef));
        Assert.Equal(await scenario.BranchShaAsync(implemented.Branch), pullRequest.HeadSha);
        Assert.Equal(implemented.HeadSha, pullRequest.HeadSha);
        Assert.Equal(503, scenario.GitHubRequests[0].Status);
        Assert.Equal(ReviewDecision.Approve, reviewed.Decision);
        Assert.Equal("APPROVE", Assert.Single(pullRequest.Reviews).Event);

        // What the Repo Manager's merge will do, through the same host: the fake really merges into the bare repository.
        using var host = new GitHubHost(new GitHubOptions { Token = SystemFixture.GitHubToken, ApiBaseUrl = system.GitHub.ApiBaseUrl.ToString() });
        var merged = await host.MergeAsync(RepositoryReference.Parse(scenario.Repository), 1, implemented.HeadSha, MergeMethod.Squash);

        Assert.Equal(await scenario.BranchShaAsync("main"), merged.MergeCommitSha);
        Assert.Equal($"hello from {scenario.Marker}", await scenario.ShowAsync("main", scenario.FileName));
        Assert.True(pullRequest.Merged);
    }
}
