using System.Diagnostics;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using MultiAgent.Contracts;
using MultiAgent.IntegrationTests.Fakes.OpenAI;
using MultiAgent.IntegrationTests.Infrastructure;

namespace MultiAgent.IntegrationTests.EndToEnd;

/// <summary>
/// A server dies (kill -9) in the middle of a job, or NATS is stopped while the Coder finishes its work: the AppHost starts a dead one again
/// by itself, the agents reconnect, the job completes exactly once, and the event stream holds every event the job's
/// log does, once.
/// </summary>
[Collection(SystemFaultsCollection.Name)]
public sealed class ServerCrashScenarios(SystemFixture system) : ScenarioTests(system)
{
    private static readonly TimeSpan PullExpiry = new MultiAgent.Messaging.TaskBusOptions().PullExpiry;

    [Theory]
    [InlineData("nats")]
    [InlineData("postgres")]
    public async Task A_server_killed_while_the_Coder_works_is_back_within_15_s_and_the_job_completes_exactly_once(string server)
    {
        await using var scenario = await Scenario.StartAsync(Fixture);
        var gate = new FakeGate();
        scenario.Coder.Enqueue([gate, .. Scripts.WriteMarkerFile(scenario)]);
        scenario.Reviewer.Enqueue(Scripts.Approve());
        var jobId = await Client.SubmitAsync(scenario.Feature($"Survive a dying {server}"));
        await gate.WhenReachedAsync(SystemClient.DefaultPatience);

        var clock = Stopwatch.StartNew();
        var killed = await SystemProcesses.KillAsync(Fixture, server, alone: true);
        await SystemProcesses.WaitUntilRestartedAsync(Fixture, server, killed);
        var back = clock.Elapsed;
        // Held longer than the model's request timeout (3 s): the Coder's request waiting now may be timing out.
        gate.ReleaseForNextRequest();
        var done = await Client.WaitForEndAsync(jobId, JobStatus.Completed, scenario);
        await Fixture.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60));

        Assert.True(back < TimeSpan.FromSeconds(15), $"{server} was back after {back.TotalSeconds:0.0} s");
        Assert.Equal(done.Job.MergeCommitSha, await scenario.BranchShaAsync("main"));
        Assert.Equal(3, (await scenario.CommitsAsync("main")).Count); // first commit, the change, one merge
        Assert.Single(done.Tasks, t => t.MessageType == MessageTypes.ImplementationRequest);
        Assert.Single(done.Tasks, t => t.MessageType == MessageTypes.ReviewRequest);
        Assert.Single(await Client.PullRequests.ListReviewsAsync(scenario.Repository, 1));
        Assert.Single(done.Timeline, e => e.Type == JobEventTypes.JobCompleted);
        Assert.Empty(scenario.Llm.Unscripted);
        await Client.AssertEveryStoredEventStreamedOnceAsync(jobId);
    }

    [Fact]
    public async Task NATS_stopped_while_the_Coder_finishes_its_work_costs_no_event_and_the_job_completes_exactly_once()
    {
        await using var scenario = await Scenario.StartAsync(Fixture);
        var gate = new FakeGate();
        scenario.Coder.Enqueue([gate, .. Scripts.WriteMarkerFile(scenario)]);
        scenario.Reviewer.Enqueue(Scripts.Approve());
        var jobId = await Client.SubmitAsync(scenario.Feature("Outlive a NATS outage"));
        await gate.WhenReachedAsync(SystemClient.DefaultPatience);

        var commands = Fixture.App.Services.GetRequiredService<ResourceCommandService>();
        var storedBefore = (await Client.Events.ReadAsync(jobId)).Count;
        var storedDuring = 0;
        var outage = Stopwatch.StartNew();
        var stopped = await commands.ExecuteCommandAsync("nats", KnownResourceCommands.StopCommand);
        Assert.True(stopped.Success, stopped.Message);
        try
        {
            // The Coder finishes its work while NATS is away: its task's end and its events are stored (read from
            // PostgreSQL, as queries go through NATS), and published once NATS is back.
            gate.Release();
            await Eventually.ReturnsAsync(
                ct => Client.Tasks.ListForJobAsync(jobId, ct),
                tasks => tasks.Any(t => t.MessageType == MessageTypes.ImplementationRequest && t.Status == AgentTaskStatus.Completed),
                SystemClient.DefaultPatience, "the Coder's task to be stored as completed while NATS is away");
            storedDuring = (await Client.Events.ReadAsync(jobId)).Count - storedBefore;
            // The outage outlasts the agents' pulls (TaskBus:PullExpiry, 10 s), so each must make a new one afterwards.
            if (PullExpiry - outage.Elapsed is { Ticks: > 0 } rest)
            {
                await Task.Delay(rest); // the outage itself, not a wait for something
            }
        }
        finally
        {
            var started = await commands.ExecuteCommandAsync("nats", KnownResourceCommands.StartCommand);
            Assert.True(started.Success, started.Message);
        }

        var done = await Client.WaitForEndAsync(jobId, JobStatus.Completed, scenario);
        await Fixture.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60));

        Assert.True(storedDuring > 0, "the Coder stored no event while NATS was away");
        Assert.Single(done.Tasks, t => t.MessageType == MessageTypes.ImplementationRequest);
        Assert.Single(done.Tasks, t => t.MessageType == MessageTypes.ReviewRequest);
        Assert.Single(done.Timeline, e => e.Type == JobEventTypes.JobCompleted);
        Assert.Equal(done.Job.MergeCommitSha, await scenario.BranchShaAsync("main"));
        Assert.Empty(scenario.Llm.Unscripted);
        await Client.AssertEveryStoredEventStreamedOnceAsync(jobId);
    }
}
