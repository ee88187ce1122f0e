using System.Globalization;
using MultiAgent.Contracts;
using MultiAgent.IntegrationTests.Fakes.OpenAI;
using MultiAgent.IntegrationTests.Infrastructure;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Net;

namespace MultiAgent.IntegrationTests.EndToEnd;

/// <summary>
/// Beyond one machine (<see cref="ClusterFixture"/>): NATS is a three-node JetStream cluster, and the Coder runs only on an
/// agent host, as two instances sharing its queue. Work is shared, moves to the other instance when one dies, and a NATS
/// node lost mid-job costs nothing but a reconnect.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ClusterScenarios(ClusterFixture cluster, Xunit.Abstractions.ITestOutputHelper output) : ScenarioTests(cluster)
{
    private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();

    // Where a test's time goes, in its output.
    private void Step(string what) => output.WriteLine($"{_clock.Elapsed.TotalSeconds:0.0} s: {what}");

    private static readonly string[] Streams = [Subjects.TasksStream, Subjects.EventsStream, Subjects.DeadLetterStream];

    [Fact]
    public async Task Ten_jobs_are_shared_by_the_agent_hosts_two_Coder_instances_and_each_completes_exactly_once()
    {
        var scenarios = new List<Scenario>();
        try
        {
            var jobs = new List<(Scenario Scenario, string JobId)>();
            for (var i = 0; i < 10; i++)
            {
                var scenario = await Scenario.StartAsync(cluster);
                scenarios.Add(scenario);
                scenario.Coder.Enqueue(Scripts.WriteMarkerFile(scenario));
                scenario.Reviewer.Enqueue(Scripts.Approve());
                jobs.Add((scenario, await Client.SubmitAsync(scenario.Feature($"Shared work {i}"))));
            }

            var coders = new List<string>();
            foreach (var (scenario, jobId) in jobs)
            {
                var done = await Client.WaitForEndAsync(jobId, JobStatus.Completed, scenario);
                Assert.Single(done.Tasks, t => t.MessageType == MessageTypes.ImplementationRequest);
                Assert.Single(done.Timeline, e => e.Type == JobEventTypes.JobCompleted);
                Assert.Equal(done.Job.MergeCommitSha, await scenario.BranchShaAsync("main"));
                coders.Add(Assert.Single(CoderInstancesThatStarted(done)));
                Assert.Empty(scenario.Llm.Unscripted);
            }

            // Both instances took jobs, and they are the agent host's two processes.
            var hostInstances = ClusterFixture.HostCoders.Select(coder => SystemProcesses.ProcessId(cluster.AgentHost, coder)).ToHashSet();
            Assert.Equal(hostInstances, coders.Select(ProcessIdOf).ToHashSet());
            // Each is its own healthy instance in the agent list (what `multi-agent agents` shows; an instance killed by
            // another test may still be listed, unhealthy, until it is forgotten).
            var listed = (await Client.Queries.AgentsAsync()).Agents.Where(a => a.AgentType == AgentType.Coder && a.Healthy);
            Assert.Equal(hostInstances, listed.Select(a => ProcessIdOf(a.InstanceId)).ToHashSet());
        }
        finally
        {
            foreach (var scenario in scenarios)
            {
                await scenario.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task A_Coder_instance_killed_mid_task_hands_its_task_to_the_other_and_the_job_completes_exactly_once()
    {
        await using var scenario = await Scenario.StartAsync(cluster);
        var gate = new FakeGate();
        scenario.Coder.Enqueue([gate, .. Scripts.WriteMarkerFile(scenario)]);
        scenario.Reviewer.Enqueue(Scripts.Approve());
        var jobId = await Client.SubmitAsync(scenario.Feature("Move to the other instance"));
        await gate.WhenReachedAsync(SystemClient.DefaultPatience);
        var first = await Eventually.ReturnsAsync(
            ct => Client.Queries.JobStatusAsync(jobId, ct), status => CoderInstancesThatStarted(status).Count == 1,
            SystemClient.DefaultPatience, "the Coder's task.started event");
        var holder = ClusterFixture.HostCoders.Single(
            coder => SystemProcesses.ProcessId(cluster.AgentHost, coder) == ProcessIdOf(CoderInstancesThatStarted(first)[0]));

        var killed = await SystemProcesses.KillAsync(cluster.AgentHost, holder);
        try
        {
            await Eventually.ReturnsAsync(_ => Task.FromResult(gate.Waiting), n => n == 0, TimeSpan.FromSeconds(30), "the killed instance's request to end");
            gate.Release();
            var done = await Client.WaitForEndAsync(jobId, JobStatus.Completed, scenario);

            // The other instance took the task over (after the ack wait, 6 s here) and finished it; nothing ran twice.
            var starts = CoderInstancesThatStarted(done);
            Assert.Equal(2, starts.Count);
            Assert.NotEqual(starts[0], starts[1]);
            var other = ClusterFixture.HostCoders.Single(coder => coder != holder);
            Assert.Equal(SystemProcesses.ProcessId(cluster.AgentHost, other), ProcessIdOf(starts[1]));
            Assert.Single(done.Tasks, t => t.MessageType == MessageTypes.ImplementationRequest);
            Assert.Single(done.Tasks, t => t.MessageType == MessageTypes.ReviewRequest);
            Assert.Single(done.Timeline, e => e.Type == JobEventTypes.JobCompleted);
            Assert.Equal(done.Job.MergeCommitSha, await scenario.BranchShaAsync("main"));
            Assert.Single(await Client.PullRequests.ListReviewsAsync(scenario.Repository, 1));
            Assert.Empty(scenario.Llm.Unscripted);
        }
        finally
        {
            // The agent host restarts nothing by itself here: start the instance again for the next test.
            await SystemProcesses.StartAgainAsync(cluster.AgentHost, holder, killed, TimeSpan.FromSeconds(90));
        }
    }

    [Fact]
    public async Task A_NATS_node_killed_while_the_Coder_works_costs_a_reconnect_and_the_job_completes_exactly_once()
    {
        await using var admin = new NatsConnection(MultiAgent.Nats.NatsConnectionString.ToOptions(cluster.NatsUrl));
        var js = admin.CreateJetStreamContext();
        // Three copies of every stream, all in step.
        await Eventually.ReturnsAsync(ct => InSyncAsync(js, ct), inSync => inSync.Values.All(stream => stream.Servers.Count == 3),
            TimeSpan.FromSeconds(60), "every stream to have three replicas in sync");
        Step("three copies of every stream in step");

        await using var scenario = await Scenario.StartAsync(cluster);
        var gate = new FakeGate();
        scenario.Coder.Enqueue([gate, .. Scripts.WriteMarkerFile(scenario)]);
        scenario.Reviewer.Enqueue(Scripts.Approve());
        var jobId = await Client.SubmitAsync(scenario.Feature("Outlive a NATS node"));
        await gate.WhenReachedAsync(SystemClient.DefaultPatience);

        // The node that leads the tasks stream, which holds the Coder's unacknowledged task.
        var leader = (await js.GetStreamAsync(Subjects.TasksStream)).Info.Cluster?.Leader
            ?? throw new InvalidOperationException("the tasks stream has no leader");
        var node = ResourceOf(leader);
        var killedNode = await SystemProcesses.KillAsync(cluster, node, alone: true);
        Step($"killed {node} ({leader}), the tasks stream's leader, while the Coder works");
        try
        {
            // The streams carry on with the two nodes left: each is led by one of them, with a copy in step beside it
            // (watched while the job goes on; nats-server takes half a minute more to call the killed copy behind).
            var ledByTheOthers = Eventually.ReturnsAsync(ct => InSyncAsync(js, ct),
                inSync => inSync.Values.All(stream => stream.Leader is { } l && l != leader && stream.Servers.Count(s => s != leader) == 2),
                TimeSpan.FromSeconds(60), $"every stream to be led by a node other than {leader} with a copy in step beside it");
            gate.Release();
            var done = await Client.WaitForEndAsync(jobId, JobStatus.Completed, scenario);
            Step("the job completed");

            Assert.Single(done.Tasks, t => t.MessageType == MessageTypes.ImplementationRequest);
            Assert.Single(done.Tasks, t => t.MessageType == MessageTypes.ReviewRequest);
            Assert.Single(CoderInstancesThatStarted(done));
            Assert.Single(done.Timeline, e => e.Type == JobEventTypes.JobCompleted);
            Assert.Equal(done.Job.MergeCommitSha, await scenario.BranchShaAsync("main"));
            Assert.Empty(scenario.Llm.Unscripted);
            await Client.AssertEveryStoredEventStreamedOnceAsync(jobId);
            Step("every event of the job streamed once");
            await ledByTheOthers;
            Step("every stream led by another node, with a copy in step beside it");
        }
        finally
        {
            await SystemProcesses.StartAgainAsync(cluster.App, node, killedNode, TimeSpan.FromSeconds(90));
            Step($"{node} started again");
        }

        // Back: the node catches up, and every stream has its three copies in step again.
        await Eventually.ReturnsAsync(ct => InSyncAsync(js, ct), inSync => inSync.Values.All(stream => stream.Servers.Count == 3),
            TimeSpan.FromSeconds(60), "every stream to have three replicas in sync again");
        Step("three copies of every stream in step again");
    }

    // The instance id of each Coder task.started event of a job, in order (an instance id ends with its process id).
    private static List<string> CoderInstancesThatStarted(JobStatusReply status) =>
    [
        .. status.Timeline
            .Where(e => e.Type == JobEventTypes.TaskStarted && e.Message.StartsWith(nameof(AgentType.Coder) + " ", StringComparison.Ordinal))
            .Select(e => e.Data?.GetProperty("instanceId").GetString() ?? throw new InvalidOperationException($"task.started without instanceId: {e.Message}")),
    ];

    private static int ProcessIdOf(string instanceId) =>
        int.Parse(instanceId[(instanceId.LastIndexOf('-') + 1)..], CultureInfo.InvariantCulture);

    // nats-server names the cluster's nodes multiagent-1, -2, -3; the AppHost's resources are nats, nats-2, nats-3.
    private static string ResourceOf(string serverName) =>
        serverName.EndsWith("-1", StringComparison.Ordinal) ? "nats" : "nats-" + serverName[(serverName.LastIndexOf('-') + 1)..];

    // For each stream, its leader and the servers that hold a copy in step: the leader and each replica that is current
    // and online.
    private static async Task<Dictionary<string, (string? Leader, HashSet<string> Servers)>> InSyncAsync(INatsJSContext js, CancellationToken cancellationToken)
    {
        var inSync = new Dictionary<string, (string? Leader, HashSet<string> Servers)>();
        foreach (var name in Streams)
        {
            var stream = await js.GetStreamAsync(name, cancellationToken: cancellationToken);
            var cluster = stream.Info.Cluster ?? throw new InvalidOperationException($"{name} reports no cluster");
            Assert.Equal(3, stream.Info.Config.NumReplicas);
            inSync[name] = (cluster.Leader,
            [
                .. (cluster.Leader is { } leader ? [leader] : Array.Empty<string>()),
                .. (cluster.Replicas ?? []).Where(r => r.Current && !r.Offline).Select(r => r.Name),
            ]);
        }

        return inSync;
    }
}
