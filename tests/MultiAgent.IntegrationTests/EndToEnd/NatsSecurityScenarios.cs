using MultiAgent.Cli;
using MultiAgent.Contracts;
using MultiAgent.Hosting.Nats;
using MultiAgent.IntegrationTests.Cli;
using MultiAgent.IntegrationTests.Fakes.OpenAI;
using MultiAgent.IntegrationTests.Infrastructure;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using NATS.Net;

namespace MultiAgent.IntegrationTests.EndToEnd;

/// <summary>
/// NATS authentication and authorisation on the running system: without credentials nothing connects; the viewer and
/// the agents cannot do what their users are not allowed (stop, approve, forge tasks, heartbeats and events, publish to
/// an undeclared task subject), and a job waiting meanwhile goes on unaffected; the operator submits, stops, approves.
/// </summary>
[Collection(SystemCollection.Name)]
public sealed class NatsSecurityScenarios(SystemFixture system) : ScenarioTests(system)
{
    [Fact]
    public async Task Without_credentials_NATS_refuses_the_connection_and_the_cli_says_so()
    {
        await using var anonymous = new NatsConnection(new NatsOpts { Url = Fixture.NatsAddress, MaxReconnectRetry = 0 });
        var refused = await Assert.ThrowsAnyAsync<NatsException>(async () => await anonymous.ConnectAsync());
        var stop = await CliRunner.RunAsync(["stop-job", "job-nobody-may-stop", "--nats", Fixture.NatsAddress, "--timeout", "5"], null);
        var wrongPassword = await CliRunner.RunAsync(
            ["agents", "--nats", Fixture.NatsAddress.Replace("nats://", "nats://operator:not-the-password@", StringComparison.Ordinal), "--timeout", "5"], null);

        Assert.Contains("Authorization Violation", Describe(refused), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(ExitCodes.Failure, stop.ExitCode);
        Assert.Contains("refused the credentials", stop.Stderr, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Failure, wrongPassword.ExitCode);
        Assert.Contains("refused the credentials", wrongPassword.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("not-the-password", wrongPassword.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Over_the_WebSocket_listener_the_cli_works_with_credentials_and_is_refused_without()
    {
        var url = $"ws://127.0.0.1:{Aspire.Hosting.Testing.DistributedApplicationHostingTestingExtensions.GetEndpoint(Fixture.App, "nats", "ws").Port}";

        var viewer = await CliRunner.RunAsAsync(Fixture, MultiAgent.Hosting.Nats.NatsUsers.Viewer, "agents", "--nats", url);
        var anonymous = await CliRunner.RunAsync(["agents", "--nats", url, "--timeout", "5"], null);
        var wrongPassword = await CliRunner.RunAsync(["agents", "--nats", url.Replace("ws://", "ws://operator:not-the-password@", StringComparison.Ordinal), "--timeout", "5"], null);

        Assert.True(viewer.ExitCode == ExitCodes.Ok, viewer.ToString());
        Assert.Contains("REPO_MANAGER", viewer.Stdout, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Failure, anonymous.ExitCode);
        Assert.Contains("refused the credentials", anonymous.Stderr, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Failure, wrongPassword.ExitCode);
        Assert.Contains("refused the credentials", wrongPassword.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_viewer_and_the_agents_cannot_stop_approve_or_forge_and_a_waiting_job_goes_on_to_its_merge()
    {
        await using var scenario = await Scenario.StartAsync(Fixture);
        var waiting = await Client.RunToApprovalAsync(scenario, scenario.Feature("Guarded by permissions", requireApproval: true));
        var jobId = waiting.Job.JobId;
        await using var admin = await ConnectAsync(NatsUsers.Admin);
        await using var viewer = await ConnectAsync(NatsUsers.Viewer);
        await using var coder = await ConnectAsync(NatsUsers.ForAgent(AgentType.Coder));
        await using var reviewer = await ConnectAsync(NatsUsers.ForAgent(AgentType.Reviewer));
        Assert.True(await RoutedAsync(admin, admin, Subjects.Prefix + ".test.control"), "the look does not see an allowed publish");

        // Stop and approve: the viewer's CLI gets no answer (the server drops the request), nor does an agent.
        var stop = await CliRunner.RunAsync(["stop-job", jobId, "--config", Fixture.CliConfigFile(NatsUsers.Viewer), "--timeout", "2"], null);
        var approve = await CliRunner.RunAsync(["approve", jobId, "--config", Fixture.CliConfigFile(NatsUsers.Viewer), "--timeout", "2"], null);
        var status = await CliRunner.RunAsAsync(Fixture, NatsUsers.Viewer, "job-status", jobId);
        Assert.Equal(ExitCodes.Failure, stop.ExitCode);
        Assert.Contains("Permissions Violation for Publish to \"multiagent.query.job.stop\"", stop.Stderr, StringComparison.Ordinal);
        Assert.Contains("user 'viewer' may not do this", stop.Stderr, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Failure, approve.ExitCode);
        Assert.Contains("Permissions Violation for Publish to \"multiagent.query.job.approve\"", approve.Stderr, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Ok, status.ExitCode);
        Assert.Contains("AWAITING_APPROVAL", status.Stdout, StringComparison.Ordinal);
        await Assert.ThrowsAsync<TimeoutException>(() =>
            new MultiAgent.Messaging.QueryClient(coder, TimeSpan.FromSeconds(2)).ApproveJobAsync(jobId, "coder", null, default));

        // A forged review result for the Repo Manager's queue: refused for the viewer, through JetStream and plain NATS.
        var forgedReview = MessageSerializer.Serialize(MessageSerializer.Wrap(
            new ReviewResult(jobId, "task-forged", 1, ReviewDecision.Approve, "forged"), AgentType.RepoManager, jobId));
        var viewerJetStream = viewer.CreateJetStreamContext();
        await Assert.ThrowsAnyAsync<NatsJSException>(async () =>
            await viewerJetStream.PublishAsync(Subjects.Tasks(AgentType.RepoManager), forgedReview));
        await AssertRefusedAsync(admin, viewer, Subjects.Tasks(AgentType.RepoManager), forgedReview);

        // Forged heartbeats: nobody but an agent of that type may speak for it.
        await AssertRefusedAsync(admin, viewer, Subjects.Heartbeat(AgentType.Coder, "forged"));
        await AssertRefusedAsync(admin, coder, Subjects.Heartbeat(AgentType.Reviewer, "forged"));
        await AssertRefusedAsync(admin, reviewer, Subjects.Heartbeat(AgentType.RepoManager, "forged"));

        // Forged job events that would end `watch` with 0: only the Repo Manager tells a job's outcome.
        var completed = JobEventTypes.Subject(jobId, JobEventTypes.JobCompleted);
        var forgedEvent = MessageSerializer.SerializeMessage(new JobEvent(jobId, JobEventTypes.JobCompleted, "forged", DateTimeOffset.UtcNow));
        await AssertRefusedAsync(admin, viewer, completed, forgedEvent);
        await AssertRefusedAsync(admin, coder, completed, forgedEvent);
        await AssertRefusedAsync(admin, reviewer, JobEventTypes.Subject(jobId, JobEventTypes.JobMerged), forgedEvent);
        await AssertNotInStreamAsync(admin, Subjects.EventsStream, completed);

        // Task subjects no agent reads, and queues a user may not write to.
        await AssertRefusedAsync(admin, viewer, Subjects.Prefix + ".tasks.undeclared");
        await AssertRefusedAsync(admin, coder, Subjects.Prefix + ".tasks.undeclared");
        await AssertRefusedAsync(admin, coder, Subjects.Tasks(AgentType.Reviewer));
        await AssertRefusedAsync(admin, reviewer, Subjects.Tasks(AgentType.Coder));
        await AssertNotInStreamAsync(admin, Subjects.TasksStream, Subjects.Prefix + ".tasks.undeclared");

        // The job went on waiting, and a real approval by the operator merges it.
        var still = await Client.Queries.JobStatusAsync(jobId);
        Assert.Equal(JobStatus.AwaitingApproval, still.Job.Status);
        // The workflow did nothing more (the Repo Manager's own task.completed for its last task may land after the
        // job reached AWAITING_APPROVAL, so task entries are not compared).
        Assert.Equal(waiting.WorkflowEvents(), still.WorkflowEvents());
        Assert.DoesNotContain(still.Tasks, t => t.TaskId == "task-forged");
        var approved = await CliRunner.RunAsAsync(Fixture, NatsUsers.Operator, "approve", jobId);
        var done = await Client.WaitForEndAsync(jobId, JobStatus.Completed, scenario);

        Assert.Equal(ExitCodes.Ok, approved.ExitCode);
        Assert.Equal(done.Job.MergeCommitSha, await scenario.BranchShaAsync("main"));
        Assert.DoesNotContain(done.Tasks, t => t.TaskId == "task-forged");
    }

    [Fact]
    public async Task The_operator_submits_with_the_cli_and_stops_the_running_job()
    {
        await using var scenario = await Scenario.StartAsync(Fixture);
        var gate = new FakeGate();
        scenario.Coder.Enqueue([gate, .. Scripts.WriteMarkerFile(scenario)]);
        var feature = scenario.Feature("Submitted by the operator");

        var submitted = await CliRunner.RunAsAsync(
            Fixture, NatsUsers.Operator, "submit-feature", "--repo", feature.Repository, "--title", feature.Title,
            "--description", feature.Description, "--requirements", string.Join(',', feature.Requirements), "--json");
        Assert.True(submitted.ExitCode == ExitCodes.Ok, submitted.ToString());
        var jobId = System.Text.Json.JsonDocument.Parse(submitted.Stdout).RootElement.GetProperty("jobId").GetString()!;
        await gate.WhenReachedAsync(SystemClient.DefaultPatience);

        var viewerStop = await CliRunner.RunAsync(["stop-job", jobId, "--config", Fixture.CliConfigFile(NatsUsers.Viewer), "--timeout", "2"], null);
        var stillRunning = await Client.Queries.JobStatusAsync(jobId);
        var stopped = await CliRunner.RunAsAsync(Fixture, NatsUsers.Operator, "stop-job", jobId, "--reason", "stopped by the operator");
        gate.Release();
        var done = await Client.WaitForTaskAsync(jobId, AgentType.Coder, MessageTypes.ImplementationRequest, AgentTaskStatus.Cancelled, scenario);

        Assert.Equal(ExitCodes.Failure, viewerStop.ExitCode);
        Assert.Equal(JobStatus.Implementing, stillRunning.Job.Status);
        Assert.True(stopped.ExitCode == ExitCodes.Ok, stopped.ToString());
        Assert.Equal((JobStatus.Cancelled, "stopped by the operator"), (done.Job.Status, done.Job.Error));
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task The_cli_credential_files_are_the_owners_alone_and_no_password_reaches_the_cli_output()
    {
        foreach (var user in new[] { NatsUsers.Operator, NatsUsers.Viewer })
        {
            var path = Fixture.CliConfigFile(user);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
            var agents = await CliRunner.RunAsAsync(Fixture, user, "agents");
            Assert.Equal(ExitCodes.Ok, agents.ExitCode);
            Assert.DoesNotContain(Fixture.NatsPasswordOf(user), agents.Stdout + agents.Stderr, StringComparison.Ordinal);
        }
    }

    private async Task<NatsConnection> ConnectAsync(string user)
    {
        var connection = new NatsConnection(MultiAgent.Nats.NatsConnectionString.ToOptions(Fixture.NatsUrlFor(user)) with { Name = $"test-{user}", RequestTimeout = TimeSpan.FromSeconds(2) });
        await connection.ConnectAsync();
        return connection;
    }

    /// <summary>
    /// Publishes <paramref name="payload"/> to <paramref name="subject"/> as <paramref name="forger"/> and asserts that no
    /// subscriber got it. No waiting on time: the forger's ping returns once the server has handled the publish, so a
    /// message it routed would already be queued for <paramref name="admin"/>'s subscription ahead of a sentinel published
    /// afterwards; the sentinel's arrival ends the look. The same look sees an allowed publish (the admin's own).
    /// </summary>
    private static async Task AssertRefusedAsync(NatsConnection admin, NatsConnection forger, string subject, byte[]? payload = null)
    {
        Assert.False(await RoutedAsync(admin, forger, subject, payload), $"{forger.Opts.Name} could publish to {subject}");
        Assert.Equal(NatsConnectionState.Open, forger.ConnectionState);
    }

    private static async Task<bool> RoutedAsync(NatsConnection admin, NatsConnection forger, string subject, byte[]? payload = null)
    {
        var marker = Guid.NewGuid().ToString("N");
        var body = payload ?? System.Text.Encoding.UTF8.GetBytes(marker);
        var sentinel = $"{Subjects.Prefix}.test.sentinel.{marker}";
        await using var watch = await admin.SubscribeCoreAsync<byte[]>(Subjects.Prefix + ".>");
        await admin.PingAsync();

        await forger.PublishAsync(subject, body);
        await forger.PingAsync();
        await admin.PublishAsync(sentinel, Array.Empty<byte>());

        var seen = false;
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await foreach (var message in watch.Msgs.ReadAllAsync(limit.Token))
        {
            if (message.Subject == sentinel)
            {
                break;
            }

            if (message.Subject == subject && (message.Data ?? []).AsSpan().SequenceEqual(body))
            {
                seen = true;
            }
        }

        return seen;
    }

    /// <summary>Asserts the stream holds no message on <paramref name="subject"/>.</summary>
    private static async Task AssertNotInStreamAsync(NatsConnection admin, string stream, string subject)
    {
        var js = admin.CreateJetStreamContext();
        var info = await js.GetStreamAsync(stream);
        var missing = await Assert.ThrowsAsync<NatsJSApiException>(async () =>
            await info.GetAsync(new StreamMsgGetRequest { LastBySubj = subject }));
        Assert.Equal(404, missing.Error.Code);
    }

    private static string Describe(Exception exception)
    {
        var text = new System.Text.StringBuilder();
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            text.Append(e.Message).Append(" / ");
        }

        return text.ToString();
    }
}
