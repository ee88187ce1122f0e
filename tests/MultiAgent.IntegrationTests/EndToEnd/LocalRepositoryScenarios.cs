using System.Text.Json;
using MultiAgent.Cli;
using MultiAgent.Contracts;
using MultiAgent.Hosting.Nats;
using MultiAgent.IntegrationTests.Cli;
using MultiAgent.IntegrationTests.Infrastructure;

namespace MultiAgent.IntegrationTests.EndToEnd;

/// <summary>
/// Local repositories only from the allowed roots, on the running system (the topology allows
/// <see cref="AppHostFixture.LocalRepositoryRoot"/> only): a job for a real bare repository elsewhere, or reached through a
/// link that leads elsewhere, fails at the Repo Manager with the reason and nothing is cloned, pushed or opened; the
/// Coder refuses such a repository when it is handed one directly; the CLI refuses it before sending anything.
/// </summary>
[Collection(SystemCollection.Name)]
public sealed class LocalRepositoryScenarios(SystemFixture system) : ScenarioTests(system)
{
    /// <summary>Beside the allowed root, its name starting like the root's: outside all the same.</summary>
    private static readonly string Outside = AppHostFixture.LocalRepositoryRoot + "-outside";

    private static string Refusal(string path) =>
        $"{path} is not under an allowed local repository root (MultiAgent:LocalGit:AllowedRoots: {AppHostFixture.LocalRepositoryRoot})";

    [Fact]
    public async Task A_job_for_a_repository_outside_the_allowed_roots_fails_with_the_reason_and_nothing_is_cloned_or_pushed()
    {
        await using var scenario = await Scenario.StartAsync(Fixture, repositoryParent: Outside);
        var refsBefore = await scenario.RefsAsync();
        // With a base branch, as the CLI sends it (which skips nothing: the Repo Manager opens local repositories anyway).
        var feature = scenario.Feature("Reach outside the allowed roots") with { BaseBranch = "main" };

        await Client.SubmitAsync(feature);
        var done = await Client.WaitForEndAsync(feature.JobId, JobStatus.Failed, scenario);
        var settled = await Client.WaitForJobAsync(
            feature.JobId, s => s.Tasks.All(t => t.Status != AgentTaskStatus.InProgress), "the Repo Manager's task to be recorded", scenario);

        Assert.Equal($"cannot open repository {scenario.Repository}: {Refusal(scenario.Repository)}", done.Job.Error);
        Assert.Contains(done.Timeline, e => e.Type == JobEventTypes.JobFailed && e.Message.Contains(Refusal(scenario.Repository), StringComparison.Ordinal));
        Assert.Equal([JobEventTypes.JobCreated, JobEventTypes.JobFailed], done.WorkflowEvents());
        // Only the Repo Manager's own task, done once: no agent was asked to clone, and nothing is retried.
        var task = Assert.Single(settled.Tasks);
        Assert.Equal((AgentType.RepoManager, AgentTaskStatus.Completed, 1), (task.AgentType, task.Status, task.Attempts));
        Assert.Equal(refsBefore, await scenario.RefsAsync());
        Assert.Null(await Client.PullRequests.GetAsync(scenario.Repository, 1));
        Assert.Empty(scenario.Coder.Requests);
    }

    [Fact]
    public async Task A_link_inside_the_allowed_root_that_leads_outside_is_refused_the_same_way()
    {
        await using var scenario = await Scenario.StartAsync(Fixture, repositoryParent: Outside);
        Directory.CreateDirectory(AppHostFixture.LocalRepositoryRoot);
        var link = Path.Combine(AppHostFixture.LocalRepositoryRoot, $"link-{scenario.Marker}.git");
        Directory.CreateSymbolicLink(link, scenario.GitDirectory);
        try
        {
            var refsBefore = await scenario.RefsAsync();
            var feature = scenario.Feature("Reach outside through a link") with { Repository = link, BaseBranch = "main" };

            await Client.SubmitAsync(feature);
            var done = await Client.WaitForEndAsync(feature.JobId, JobStatus.Failed, scenario);

            Assert.Equal($"cannot open repository {link}: {Refusal($"{link} (which leads to {scenario.GitDirectory})")}", done.Job.Error);
            Assert.DoesNotContain(done.Tasks, t => t.AgentType != AgentType.RepoManager);
            Assert.Equal(refsBefore, await scenario.RefsAsync());
            Assert.Empty(scenario.Coder.Requests);
        }
        finally
        {
            File.Delete(link);
        }
    }

    [Fact]
    public async Task The_Coder_handed_such_a_repository_directly_refuses_it_once_without_cloning()
    {
        await using var scenario = await Scenario.StartAsync(Fixture, repositoryParent: Outside);
        var refsBefore = await scenario.RefsAsync();
        var feature = scenario.Feature("Reach outside past the Repo Manager");
        await Client.RecordJobAsync(feature);
        var taskId = $"implement-{Guid.NewGuid():N}";

        await Client.SendAsync(Scenario.Implementation(feature, taskId), AgentType.Coder, feature.JobId, taskId);
        var failed = await Client.WaitForTaskAsync(feature.JobId, AgentType.Coder, MessageTypes.ImplementationRequest, AgentTaskStatus.Failed, scenario);

        var task = Assert.Single(failed.Tasks);
        Assert.Equal(1, task.Attempts);
        Assert.Equal(Refusal(scenario.Repository), task.Error);
        Assert.Equal(refsBefore, await scenario.RefsAsync());
        Assert.Empty(scenario.Coder.Requests);
    }

    [Fact]
    public async Task The_cli_refuses_such_a_repository_with_exit_2_and_sends_nothing()
    {
        var outside = Path.Combine(Outside, $"cli-{Guid.NewGuid():N}"[..12] + ".git");

        var started = await CliRunner.RunAsAsync(Fixture, NatsUsers.Operator, "start-project", "--repo", outside, "--requirements", "Reach outside");
        var submitted = await CliRunner.RunAsAsync(
            Fixture, NatsUsers.Operator, "submit-feature", "--repo", "file://" + outside, "--title", "Reach outside", "--description", "from the CLI");
        var jobs = await Client.Queries.ListJobsAsync(new ListJobsQuery(Repository: outside));

        foreach (var refused in new[] { started, submitted })
        {
            Assert.Equal(ExitCodes.Usage, refused.ExitCode);
            Assert.Equal($"error: {Refusal(outside)}", refused.Stderr.TrimEnd());
            Assert.Equal("", refused.Stdout);
        }

        Assert.Equal(0, jobs.Total);
        // The AppHost wrote the roots into both CLI files.
        foreach (var user in new[] { NatsUsers.Operator, NatsUsers.Viewer })
        {
            using var config = JsonDocument.Parse(await File.ReadAllTextAsync(Fixture.CliConfigFile(user)));
            Assert.Equal(
                [AppHostFixture.LocalRepositoryRoot],
                config.RootElement.GetProperty("localRepositoryRoots").EnumerateArray().Select(root => root.GetString()!).ToArray());
        }
    }
}
