using MultiAgent.Cli;
using MultiAgent.Contracts;
using MultiAgent.Hosting.Nats;
using MultiAgent.IntegrationTests.Cli;
using MultiAgent.IntegrationTests.Infrastructure;

namespace MultiAgent.IntegrationTests.EndToEnd;

/// <summary>The <c>multi-agent</c> command against the whole system, where what it refuses must not reach the Repo Manager.</summary>
[Collection(SystemCollection.Name)]
public sealed class CliScenarios(SystemFixture system) : ScenarioTests(system)
{
    [Fact]
    public async Task Start_project_with_an_ftp_repository_is_a_usage_error_and_no_job_is_created()
    {
        var jobsBefore = (await Client.Queries.ListJobsAsync(new ListJobsQuery(Limit: 1))).Total;

        var result = await CliRunner.RunAsAsync(
            Fixture, NatsUsers.Operator, "start-project", "--repo", "ftp://x/y", "--requirements", "Add a /version endpoint");
        var listed = await CliRunner.RunAsAsync(Fixture, NatsUsers.Viewer, "list-jobs", "--json");

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.StartsWith("error: invalid repository: ", result.Stderr);
        Assert.Contains("ftp://x/y", result.Stderr);
        Assert.Equal("", result.Stdout);
        Assert.Equal(ExitCodes.Ok, listed.ExitCode);
        var jobs = MessageSerializer.DeserializeMessage<ListJobsReply>(System.Text.Encoding.UTF8.GetBytes(listed.Stdout));
        Assert.Equal(jobsBefore, jobs.Total);
        Assert.DoesNotContain(jobs.Jobs, j => j.Repository.Contains("ftp", StringComparison.OrdinalIgnoreCase));
        Assert.Equal(0, (await Client.Queries.ListJobsAsync(new ListJobsQuery(Repository: "ftp://x/y"))).Total);
    }
}
