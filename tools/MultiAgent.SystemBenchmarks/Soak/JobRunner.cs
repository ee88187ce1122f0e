using MultiAgent.Contracts;
using MultiAgent.IntegrationTests.EndToEnd;
using MultiAgent.IntegrationTests.Infrastructure;
using MultiAgent.Messaging;
using Microsoft.Extensions.Options;
using NATS.Client.Core;
using NATS.Net;
using Polly;
using Polly.Retry;

namespace MultiAgent.SystemBenchmarks.Soak;

/// <summary>How one soak job ended, and what was done more than once.</summary>
/// <param name="Ended">False when the job had not ended when the soak stopped waiting (lost).</param>
/// <param name="Duplicates">Each effect seen more than once: pull requests, reviews, merges, implementation tasks.</param>
public sealed record JobOutcome(
    string JobId, bool Ended, JobStatus Status, TimeSpan Duration, string? Error, IReadOnlyList<string> Duplicates);

/// <summary>
/// Submits jobs one after another, each on a bare repository of its own, waits for each to end and checks that every
/// effect happened exactly once: one pull request, one review, one merge commit on main, one implementation and one
/// review task, one job.completed. The harness's own calls to NATS and PostgreSQL are retried while a killed server
/// comes back (a submission again with the same task id, which JetStream stores once).
/// </summary>
public sealed class JobRunner : IAsyncDisposable
{
    /// <summary>How long a job may take before the soak calls it lost (kills delay jobs by up to AckWait and a restart).</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromMinutes(10);

    private static readonly ResiliencePipeline WhileServersComeBack = new ResiliencePipelineBuilder()
        .AddRetry(new RetryStrategyOptions
        {
            ShouldHandle = new PredicateBuilder().Handle<Exception>(ex => ex is not OperationCanceledException),
            MaxRetryAttempts = 60,
            Delay = TimeSpan.FromSeconds(2),
            BackoffType = DelayBackoffType.Constant,
        })
        .Build();

    private readonly SystemFixture _system;
    private readonly SystemClient _client;
    private readonly TaskPublisher _publisher;
    private readonly JobEnds _ends;

    private JobRunner(SystemFixture system, SystemClient client, TaskPublisher publisher, JobEnds ends)
    {
        _system = system;
        _client = client;
        _publisher = publisher;
        _ends = ends;
    }

    /// <summary>A runner that submits through <paramref name="nats"/> and follows the jobs' events on it.</summary>
    public static async Task<JobRunner> StartAsync(SystemFixture system, SystemClient client, NatsConnection nats) =>
        new(system, client, new TaskPublisher(nats.CreateJetStreamContext(), Options.Create(new TaskBusOptions())), await JobEnds.StartAsync(nats));

    public ValueTask DisposeAsync() => _ends.DisposeAsync();

    public async Task<JobOutcome> RunOneAsync()
    {
        await using var scenario = await Scenario.StartAsync(_system);
        var feature = scenario.Feature("Soak job");
        var submission = MessageSerializer.Wrap(feature, AgentType.RepoManager, feature.JobId);
        _ends.Expect(feature.JobId);
        await WhileServersComeBack.ExecuteAsync(async ct => await _publisher.PublishAsync(submission, ct));
        JobStatusReply status;
        try
        {
            // The job's end event, as a user watching it sees it (or its status, should NATS have dropped the event).
            await _ends.WaitAsync(feature.JobId, async ct => ScenarioChecks.HasEnded(await _client.Queries.JobStatusAsync(feature.JobId, ct)), Patience);
            status = await _client.WaitForJobAsync(feature.JobId, ScenarioChecks.HasEnded, $"job {feature.JobId} to end");
        }
        catch (TimeoutException ex)
        {
            return new JobOutcome(feature.JobId, false, JobStatus.Pending, Patience, ex.Message, []);
        }

        return await WhileServersComeBack.ExecuteAsync(async _ => await CheckAsync(scenario, status));
    }

    private async Task<JobOutcome> CheckAsync(Scenario scenario, JobStatusReply status)
    {
        var job = status.Job;
        var duplicates = new List<string>();
        void Once(string what, int count)
        {
            if (count > 1)
            {
                duplicates.Add($"{count} {what}");
            }
        }

        Once("implementation tasks", status.Tasks.Count(t => t.MessageType == MessageTypes.ImplementationRequest));
        Once("review tasks", status.Tasks.Count(t => t.MessageType == MessageTypes.ReviewRequest));
        Once("job.completed events", status.Timeline.Count(e => e.Type == JobEventTypes.JobCompleted));
        if (await _client.PullRequests.GetAsync(scenario.Repository, 2) is not null)
        {
            duplicates.Add("a second pull request");
        }

        if (job.Status == JobStatus.Completed)
        {
            Once("reviews", (await _client.PullRequests.ListReviewsAsync(scenario.Repository, 1)).Count);
            // The first commit, the change, one merge commit.
            Once("merges", (await scenario.CommitsAsync("main")).Count - 2);
        }

        var duration = (job.CompletedAt ?? job.UpdatedAt) - job.CreatedAt;
        return new JobOutcome(job.JobId, true, job.Status, duration, job.Error, duplicates);
    }
}
