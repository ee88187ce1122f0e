using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using MultiAgent.Cli;
using MultiAgent.Contracts;
using MultiAgent.Hosting.Nats;
using MultiAgent.Messaging;
using MultiAgent.Persistence;
using MultiAgent.IntegrationTests.Infrastructure;
using NATS.Client.Core;
using NATS.Net;
using Npgsql;
using Xunit.Abstractions;

namespace MultiAgent.IntegrationTests.Cli;

/// <summary>The multi-agent command against the whole system (the real Repo Manager answering over NATS).</summary>
[Collection(SystemCollection.Name)]
public sealed class CliSystemTests(SystemFixture system, ITestOutputHelper output)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Start_project_creates_a_project_that_list_projects_and_project_status_show()
    {
        var repository = UniqueRepository();

        var started = await RunAsync("start-project", "--repo", repository, "--requirements", "Add a /version endpoint\nreturn the build version as JSON", "--branch", "develop");
        var match = System.Text.RegularExpressions.Regex.Match(started.Stdout, @"proj-[0-9a-f]{12}");
        Assert.True(match.Success, started.ToString());
        var projectId = match.Value;
        // The repository is under the allowed root but does not exist: the Repo Manager records the project and fails it
        // before it asks the model for a plan.
        var status = await Eventually.ReturnsAsync(_ => RunAsync("project-status", projectId), r => r.Stdout.Contains("FAILED", StringComparison.Ordinal),
            Patience, $"project {projectId} to fail");
        var listed = await RunAsync("list-projects");
        var listedJson = await RunAsync("list-projects", "--status", "failed", "--json");

        Assert.Equal(ExitCodes.Ok, started.ExitCode);
        Assert.Contains($"multi-agent watch {projectId}", started.Stdout);
        Assert.Contains(projectId, status.Stdout);
        Assert.Contains("Add a /version endpoint", status.Stdout);
        Assert.Contains(repository, status.Stdout);
        Assert.Contains(ProjectEventTypes.Created, status.Stdout);
        Assert.Contains(ProjectEventTypes.Ended, status.Stdout);
        Assert.DoesNotContain(" \n", status.Stdout);
        Assert.Equal(ExitCodes.Ok, listed.ExitCode);
        Assert.Contains(projectId, listed.Stdout);
        var project = Assert.Single(Parse<ListProjectsReply>(listedJson).Projects, p => p.ProjectId == projectId);
        Assert.Equal(("Add a /version endpoint", ProjectStatus.Failed, "develop"), (project.Title, project.Status, project.BaseBranch));
        Assert.Equal($"cannot open repository {repository}: There is no repository at '{repository}': the folder does not exist.", project.Error);
        Assert.False(CliRunner.HasAnsi(started.Stdout + status.Stdout + listed.Stdout));
    }

    [Fact]
    public async Task Submit_feature_sends_what_was_asked()
    {
        var repository = UniqueRepository();

        var submitted = await RunAsync("submit-feature", "--repo", $"file://{repository}", "--title", "Add rate limiting [v2]",
            "--description", "Limit each client to 10 requests a second", "--requirements", "429 when over the limit,Retry-After header",
            "--priority", "high", "--max-iterations", "5", "--require-approval", "--json");
        var jobId = JobIdFrom(submitted);
        var status = Parse<JobStatusReply>(await WaitForJobAsync(jobId, "--json"));
        var plain = await RunAsync("job-status", jobId);

        Assert.Equal("Add rate limiting [v2]", status.Job.Title);
        Assert.Contains("Add rate limiting [v2]", plain.Stdout);
        Assert.Equal(repository, status.Job.Repository);
        Assert.Equal(5, status.Job.MaxIterations);
    }

    [Fact]
    public async Task Stop_job_cancels_the_job_and_watch_on_it_exits_1_promptly()
    {
        // A job no agent works on (its repository does not exist, and no task is sent), so it waits for the stop.
        var jobId = await CreateJobAsync(JobStatus.Pending);

        var stopped = await RunAsync("stop-job", jobId, "--reason", "changed my mind");
        var again = await RunAsync("stop-job", jobId, "--json");
        var status = await RunAsync("job-status", jobId);
        var watched = await RunAsync("watch", jobId);

        Assert.Equal(ExitCodes.Ok, stopped.ExitCode);
        Assert.Contains($"Job {jobId} is now CANCELLED", stopped.Stdout);
        var second = Parse<StopJobReply>(again);
        Assert.False(second.Changed);
        Assert.Equal(JobStatus.Cancelled, second.Status);
        Assert.Contains("CANCELLED", status.Stdout);
        Assert.Contains("changed my mind", status.Stdout);
        Assert.Equal(ExitCodes.Failure, watched.ExitCode);
        Assert.Contains($"Job {jobId} CANCELLED", watched.Stdout);
        Assert.True(watched.Elapsed < TimeSpan.FromSeconds(10), $"watch took {watched.Elapsed}");
    }

    [Fact]
    public async Task Watch_prints_events_live_until_the_job_ends()
    {
        var jobId = await CreateJobAsync(JobStatus.Pending);
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var watchOutput = new LockedStringWriter();

        var watching = CliRunner.RunAsync(["watch", jobId, "--config", system.CliConfigFile(NatsUsers.Viewer), "--timeout", "10"], null, default, limit.Token, watchOutput);
        await Eventually.ReturnsAsync(
            _ => Task.FromResult(watchOutput.ToString()), text => text.Contains("Ctrl+C", StringComparison.Ordinal) || watching.IsCompleted,
            Patience, "watch to start watching");
        await using (var nats = new NatsConnection(new NatsOpts { Url = system.NatsUrl }))
        {
            var events = new EventPublisher(nats.CreateJetStreamContext(), NullLogger<EventPublisher>.Instance);
            await events.PublishAsync(new JobEvent(jobId, JobEventTypes.JobTransition, "PENDING → IMPLEMENTING: a live event", DateTimeOffset.UtcNow), default);
        }

        await Eventually.ReturnsAsync(
            _ => Task.FromResult(watchOutput.ToString()), text => text.Contains("a live event", StringComparison.Ordinal) || watching.IsCompleted,
            Patience, "watch to print the live event");
        Assert.False(watching.IsCompleted, $"watch ended early: {watchOutput}");
        var stopped = await RunAsync("stop-job", jobId, "--reason", "seen enough");
        var watched = await watching;
        output.WriteLine(watched.Stdout);

        Assert.Equal(ExitCodes.Ok, stopped.ExitCode);
        Assert.Equal(ExitCodes.Failure, watched.ExitCode);
        Assert.Contains($"Watching job {jobId} (PENDING)", watched.Stdout);
        Assert.Contains(JobEventTypes.JobCancelled, watched.Stdout);
        Assert.Contains("seen enough", watched.Stdout);
        Assert.Contains($"Job {jobId} CANCELLED", watched.Stdout);
    }

    [Theory]
    [InlineData("job-status")]
    [InlineData("stop-job")]
    [InlineData("approve")]
    [InlineData("reject")]
    [InlineData("watch")]
    public async Task An_unknown_job_is_a_failure_that_names_it(string command)
    {
        var jobId = $"job-{Guid.NewGuid():N}"[..16];

        var result = await RunAsync(command, jobId);

        Assert.Equal(ExitCodes.Failure, result.ExitCode);
        Assert.Contains($"no job '{jobId}'", result.Stderr);
        Assert.Equal("", result.Stdout);
    }

    [Theory]
    [InlineData("approve", JobStatus.Pending)]
    [InlineData("approve", JobStatus.Implementing)]
    [InlineData("reject", JobStatus.Pending)]
    [InlineData("reject", JobStatus.Implementing)]
    public async Task Approve_and_reject_refuse_a_job_that_is_not_awaiting_approval(string command, JobStatus status)
    {
        // Stored directly, so that no workflow moves the job on while the test looks at it.
        var jobId = await CreateJobAsync(status);
        var state = status == JobStatus.Pending ? "PENDING" : "IMPLEMENTING";
        var done = command == "approve" ? "approved" : "rejected";

        var refused = await RunAsync(command, jobId, command == "approve" ? "--comment" : "--reason", "too early");
        var after = Parse<JobStatusReply>(await RunAsync("job-status", jobId, "--json"));

        Assert.Equal(ExitCodes.Failure, refused.ExitCode);
        Assert.Contains($"error: job {jobId} is {state}, not AWAITING_APPROVAL: only a job waiting for approval can be {done}", refused.Stderr);
        Assert.Equal("", refused.Stdout);
        Assert.Equal(status, after.Job.Status);
        Assert.Null(after.Job.Error);
        Assert.Empty(after.Timeline);
    }

    [Fact]
    public async Task A_refused_approval_with_json_prints_no_json_and_the_error_on_stderr()
    {
        var jobId = await CreateJobAsync(JobStatus.Pending);

        var refused = await RunAsync("approve", jobId, "--json");

        Assert.Equal(ExitCodes.Failure, refused.ExitCode);
        Assert.Equal("", refused.Stdout);
        Assert.Equal($"error: job {jobId} is PENDING, not AWAITING_APPROVAL: only a job waiting for approval can be approved", refused.Stderr.TrimEnd());
        Assert.False(CliRunner.HasAnsi(refused.Stderr));
    }

    [Fact]
    public async Task Json_output_is_the_contracts_reply_and_nothing_else()
    {
        var jobId = JobIdFrom(await RunAsync("submit-feature", "--repo", UniqueRepository(), "--title", "Something in JSON", "--description", "as JSON", "--json"));
        var status = await WaitForJobAsync(jobId, "--json");
        var list = await RunAsync("list-jobs", "--limit", "5", "--json");
        var agents = await RunAsync("agents", "--json");

        Assert.Equal(jobId, Parse<JobStatusReply>(status).Job.JobId);
        Assert.InRange(Parse<ListJobsReply>(list).Jobs.Count, 1, 5);
        Parse<AgentsReply>(agents);
        foreach (var result in new[] { status, list, agents })
        {
            Assert.Equal(ExitCodes.Ok, result.ExitCode);
            Assert.Equal(1, result.Stdout.Count(c => c == '\n'));
            Assert.Equal("", result.Stderr);
        }
    }

    [Fact]
    public async Task Agents_lists_the_three_agent_types()
    {
        var reply = await Eventually.ReturnsAsync(
            async _ => Parse<AgentsReply>(await RunAsync("agents", "--json")),
            r => r.Agents.Where(a => a.Healthy).Select(a => a.AgentType).Distinct().Count() == 3, Patience,
            "heartbeats from the three agents");
        var table = await RunAsync("agents");
        output.WriteLine(table.Stdout);

        Assert.Equal([AgentType.Coder, AgentType.Reviewer, AgentType.RepoManager],
            reply.Agents.Select(a => a.AgentType).Distinct().Order());
        Assert.Equal(ExitCodes.Ok, table.ExitCode);
        Assert.Contains("CODER", table.Stdout);
        Assert.Contains("REVIEWER", table.Stdout);
        Assert.Contains("REPO_MANAGER", table.Stdout);
        Assert.Contains("ERROR RATE", table.Stdout);
        Assert.False(CliRunner.HasAnsi(table.Stdout));
    }

    private Task<CliResult> RunAsync(params string[] args) =>
        CliRunner.RunAsAsync(system, NatsUsers.Operator, args);

    /// <summary>job-status until it answers: the Repo Manager records the job asynchronously.</summary>
    private Task<CliResult> WaitForJobAsync(string jobId, params string[] options) => WaitForEventAsync(jobId, JobEventTypes.JobCreated, options);

    /// <summary>job-status until the job's timeline holds <paramref name="eventType"/>.</summary>
    private async Task<CliResult> WaitForEventAsync(string jobId, string eventType, params string[] options)
    {
        var result = await Eventually.ReturnsAsync(
            // The job row appears a moment before its first timeline entry: wait for both.
            _ => RunAsync(["job-status", jobId, .. options]),
            r => r.ExitCode == ExitCodes.Ok && r.Stdout.Contains(eventType, StringComparison.Ordinal),
            Patience, $"the Repo Manager to record {eventType} for {jobId}");
        output.WriteLine(result.Stdout);
        return result;
    }

    private static string JobIdFrom(CliResult result)
    {
        Assert.True(result.ExitCode == ExitCodes.Ok, result.ToString());
        if (result.Stdout.TrimStart().StartsWith('{'))
        {
            using var json = JsonDocument.Parse(result.Stdout);
            return json.RootElement.GetProperty("jobId").GetString()!;
        }

        var match = System.Text.RegularExpressions.Regex.Match(result.Stdout, @"job-[0-9a-f]{12}");
        Assert.True(match.Success, result.ToString());
        return match.Value;
    }

    private static T Parse<T>(CliResult result)
    {
        Assert.True(result.ExitCode == ExitCodes.Ok, result.ToString());
        return MessageSerializer.DeserializeMessage<T>(Encoding.UTF8.GetBytes(result.Stdout));
    }

    /// <summary>A job stored straight in the database in <paramref name="status"/>, with no task and no timeline.</summary>
    private async Task<string> CreateJobAsync(JobStatus status)
    {
        await using var database = NpgsqlDataSource.Create(system.DatabaseConnectionString);
        var job = new JobRecord { Id = $"job-{Guid.NewGuid():N}"[..16], Repository = UniqueRepository(), Title = "Waits for nothing", Status = status };
        Assert.True((await new JobStore(database).CreateAsync(job)).Created);
        return job.Id;
    }

    /// <summary>A repository path under the topology's allowed root that does not exist (no job gets past the Repo Manager).</summary>
    private static string UniqueRepository() => Path.Combine(AppHostFixture.LocalRepositoryRoot, $"cli-{Guid.NewGuid():N}.git");
}
