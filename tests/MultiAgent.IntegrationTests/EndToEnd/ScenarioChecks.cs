using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting.Testing;
using MultiAgent.Contracts;
using MultiAgent.IntegrationTests.Infrastructure;

namespace MultiAgent.IntegrationTests.EndToEnd;

/// <summary>
/// What the fault scenarios look at once a job has run: its end (whatever it is, so a wrong end fails at once with the
/// job's story instead of waiting out the patience), the workflow's own timeline, the merge commits on main, and the
/// Repo Manager's <c>/metrics</c>.
/// </summary>
public static class ScenarioChecks
{
    /// <summary>
    /// Asserts that every event the job's log holds is on the event stream, once (the outbox relay publishes what NATS
    /// missed). Writers publish side by side, so the stream's order is not the log's: the ids are compared as sets.
    /// </summary>
    public static async Task AssertEveryStoredEventStreamedOnceAsync(this SystemClient client, string jobId)
    {
        var streamed = await client.StreamedEventsAsync(jobId);
        var stored = await client.Events.ReadAsync(jobId);
        Assert.Equal(stored.Select(e => e.Id), streamed.Select(e => e.EventId ?? -1).Order());
    }

    /// <summary>The events the Repo Manager's workflow records for a job that runs straight to a merge.</summary>
    public static readonly string[] MergedTimeline =
    [
        JobEventTypes.JobCreated, JobEventTypes.JobTransition, JobEventTypes.JobTransition, JobEventTypes.PullRequestOpened,
        JobEventTypes.ReviewPosted, JobEventTypes.JobTransition, JobEventTypes.JobMerged, JobEventTypes.JobCompleted,
    ];

    /// <summary>True for the events that record a job's end: job.completed, job.failed, job.cancelled.</summary>
    public static bool IsJobEnd(string eventType) =>
        eventType is JobEventTypes.JobCompleted or JobEventTypes.JobFailed or JobEventTypes.JobCancelled;

    /// <summary>
    /// True once the job is COMPLETED, FAILED or CANCELLED and its end is on the timeline (job.completed / job.failed
    /// are recorded just after the state changes).
    /// </summary>
    public static bool HasEnded(JobStatusReply status) =>
        status.Job.Status is JobStatus.Completed or JobStatus.Failed or JobStatus.Cancelled
        && status.Timeline.Any(e => IsJobEnd(e.Type));

    /// <summary>Waits until the job is COMPLETED, FAILED or CANCELLED and checks it is <paramref name="expected"/>.</summary>
    public static async Task<JobStatusReply> WaitForEndAsync(
        this SystemClient client, string jobId, JobStatus expected, Scenario scenario, TimeSpan? patience = null)
    {
        var status = await client.WaitForJobAsync(jobId, HasEnded, $"job {jobId} to end", scenario, patience);
        Assert.True(status.Job.Status == expected,
            $"expected {expected}: {SystemClient.Describe(status)}\n{scenario.Describe()}");
        return status;
    }

    /// <summary>Submits <paramref name="feature"/> and waits for its job to end, which must be as <paramref name="expected"/>.</summary>
    public static async Task<JobStatusReply> RunJobAsync(this SystemClient client, FeatureRequest feature, JobStatus expected, Scenario scenario)
    {
        await client.SubmitAsync(feature);
        return await client.WaitForEndAsync(feature.JobId, expected, scenario);
    }

    /// <summary>
    /// Scripts one implementation and an approving review, submits <paramref name="feature"/> (which must require
    /// approval) and waits until the job is AWAITING_APPROVAL.
    /// </summary>
    public static async Task<JobStatusReply> RunToApprovalAsync(this SystemClient client, Scenario scenario, FeatureRequest feature)
    {
        Assert.True(feature.RequireApproval, "the feature must require approval");
        scenario.Coder.Enqueue(Scripts.WriteMarkerFile(scenario));
        scenario.Reviewer.Enqueue(Scripts.Approve());
        await client.SubmitAsync(feature);
        return await client.WaitForJobAsync(feature.JobId, s => s.Job.Status == JobStatus.AwaitingApproval, "the job to await approval", scenario);
    }

    /// <summary>The job's timeline without the agents' task.* entries: what the workflow did, in order.</summary>
    public static IReadOnlyList<string> WorkflowEvents(this JobStatusReply status) =>
        status.Timeline.Select(e => e.Type).Where(t => !t.StartsWith("task.", StringComparison.Ordinal)).ToList();

    /// <summary>The states the job moved to, in order (from the job.transition events' data).</summary>
    public static IReadOnlyList<string> Transitions(this JobStatusReply status) =>
        status.Timeline.Where(e => e.Type == JobEventTypes.JobTransition && e.Data is not null)
            .Select(e => e.Data!.Value.GetProperty("to").GetString()!).ToList();

    /// <summary>The only timeline entry of <paramref name="type"/>.</summary>
    public static TimelineEntry Event(this JobStatusReply status, string type) => Assert.Single(status.Timeline, e => e.Type == type);

    /// <summary>Merge commits on main of the scenario's bare repository ("sha subject"), newest first.</summary>
    public static async Task<IReadOnlyList<string>> MergeCommitsAsync(this Scenario scenario) =>
        (await scenario.CommitsAsync("main")).Where(c => c.Contains(" Merge pull request #", StringComparison.Ordinal)).ToList();

    /// <summary>Tasks processed per agent instance, as the Repo Manager's <c>GET /metrics</c> reports them (from heartbeats).</summary>
    public static async Task<IReadOnlyList<AgentTaskFigures>> AgentMetricsAsync(SystemFixture system, CancellationToken ct = default)
    {
        using var http = system.App.CreateHttpClient("repomanager", "http");
        var metrics = await http.GetFromJsonAsync<JsonElement>("/metrics", ct);
        return metrics.GetProperty("agents").EnumerateArray()
            .Select(a => new AgentTaskFigures(a.GetProperty("id").GetString()!, a.GetProperty("type").GetString()!, a.GetProperty("tasksProcessed").GetInt64()))
            .ToList();
    }

    /// <summary>Whether some instance of <paramref name="type"/> has processed more tasks than it had in <paramref name="before"/> (a new instance counts from 0).</summary>
    public static bool Rose(IReadOnlyList<AgentTaskFigures> before, IReadOnlyList<AgentTaskFigures> after, string type) =>
        after.Where(a => a.Type == type).Any(a => a.TasksProcessed > (before.FirstOrDefault(b => b.Id == a.Id)?.TasksProcessed ?? 0));
}

/// <summary>One agent instance's figures in <c>/metrics</c>.</summary>
public sealed record AgentTaskFigures(string Id, string Type, long TasksProcessed);
