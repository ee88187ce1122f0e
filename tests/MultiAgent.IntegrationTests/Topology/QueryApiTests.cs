using System.Text;
using Microsoft.Extensions.Options;
using MultiAgent.Contracts;
using MultiAgent.Messaging;
using MultiAgent.Persistence;
using MultiAgent.IntegrationTests.Infrastructure;
using NATS.Client.Core;
using NATS.Net;
using Npgsql;

namespace MultiAgent.IntegrationTests.Topology;

/// <summary>The query API as the CLI will use it: NATS request/reply, answered by the real Repo Manager process.</summary>
[Collection(SystemCollection.Name)]
public sealed class QueryApiTests(SystemFixture system) : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private NatsConnection _nats = null!;
    private NpgsqlDataSource _database = null!;
    private QueryClient _queries = null!;
    private JobStore _jobs = null!;

    public async Task InitializeAsync()
    {
        _nats = new NatsConnection(new NatsOpts { Url = system.NatsUrl });
        await _nats.ConnectAsync();
        _database = NpgsqlDataSource.Create(system.DatabaseConnectionString);
        _jobs = new JobStore(_database);
        _queries = new QueryClient(_nats, TimeSpan.FromSeconds(10));
    }

    public async Task DisposeAsync()
    {
        await _nats.DisposeAsync();
        await _database.DisposeAsync();
    }

    [Fact]
    public async Task A_submitted_feature_request_becomes_a_job_that_status_and_list_show_with_its_outcome()
    {
        var jobId = NewId("job");
        var repository = $"/srv/repos/{NewId("repo")}.git";
        var request = new FeatureRequest(jobId, repository, "Add a /version endpoint", DateTimeOffset.UtcNow,
            "Return the build version as JSON", ["GET /version answers 200"]);
        var publisher = new TaskPublisher(_nats.CreateJetStreamContext(), Options.Create(new TaskBusOptions()));

        await publisher.PublishAsync(MessageSerializer.Wrap(request, AgentType.RepoManager, jobId), default);
        var status = await Eventually.ReturnsAsync(
            ct => _queries.JobStatusAsync(jobId, ct), s => s.Tasks.Any(t => t.Status == AgentTaskStatus.Completed), Patience,
            "the Repo Manager to record the job");
        var list = await _queries.ListJobsAsync(new ListJobsQuery(Repository: repository));

        // The repository does not exist: the job is recorded, and fails at once with the reason.
        Assert.Equal(JobStatus.Failed, status.Job.Status);
        Assert.StartsWith($"cannot open repository {repository}: ", status.Job.Error, StringComparison.Ordinal);
        Assert.Equal("Add a /version endpoint", status.Job.Title);
        Assert.Contains(status.Timeline, e => e.Type == JobEventTypes.JobCreated);
        Assert.Equal(AgentType.RepoManager, Assert.Single(status.Tasks).AgentType);
        Assert.Equal(jobId, Assert.Single(list.Jobs).JobId);
        Assert.Equal(1, list.Total);
    }

    [Fact]
    public async Task Lists_filter_by_status_and_repository_and_page()
    {
        var repository = $"/srv/repos/{NewId("repo")}.git";
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add((await _jobs.CreateAsync(new JobRecord { Id = NewId("job"), Repository = repository, Title = $"job {i}" })).Job.Id);
        }

        await _jobs.MarkFailedAsync(ids[0], "broken on purpose");

        var firstPage = await _queries.ListJobsAsync(new ListJobsQuery(Repository: repository, Limit: 2));
        var secondPage = await _queries.ListJobsAsync(new ListJobsQuery(Repository: repository, Limit: 2, Offset: 2));
        var failed = await _queries.ListJobsAsync(new ListJobsQuery(JobStatus.Failed, repository));

        Assert.Equal(3, firstPage.Total);
        Assert.Equal(2, firstPage.Jobs.Count);
        Assert.Single(secondPage.Jobs);
        Assert.Equal(ids.ToHashSet(), firstPage.Jobs.Concat(secondPage.Jobs).Select(j => j.JobId).ToHashSet());
        var failedJob = Assert.Single(failed.Jobs);
        Assert.Equal(ids[0], failedJob.JobId);
        Assert.Equal("broken on purpose", failedJob.Error);
    }

    [Fact]
    public async Task Stop_cancels_the_job_records_it_and_signals_the_agents()
    {
        var job = (await _jobs.CreateAsync(new JobRecord
        {
            Id = NewId("job"), Repository = "/srv/repos/demo.git", Title = "to be stopped", Status = JobStatus.Implementing,
        })).Job;
        await using var signals = await _nats.SubscribeCoreAsync<byte[]>(Subjects.JobCancel(job.Id));

        var stopped = await _queries.StopJobAsync(job.Id, "changed my mind");
        using var timeout = new CancellationTokenSource(Patience);
        var signal = await signals.Msgs.ReadAsync(timeout.Token);
        var again = await _queries.StopJobAsync(job.Id);
        var status = await _queries.JobStatusAsync(job.Id);

        Assert.True(stopped.Changed);
        Assert.Equal(JobStatus.Cancelled, stopped.Status);
        Assert.Equal(Subjects.JobCancel(job.Id), signal.Subject);
        Assert.False(again.Changed);
        Assert.Equal(JobStatus.Cancelled, status.Job.Status);
        Assert.Contains(status.Timeline, e => e.Type == JobEventTypes.JobCancelled && e.Message.Contains("changed my mind"));
    }

    [Fact]
    public async Task Unknown_jobs_and_malformed_requests_get_structured_errors()
    {
        var unknown = await Assert.ThrowsAsync<QueryException>(() => _queries.JobStatusAsync("no-such-job"));
        var badId = await Assert.ThrowsAsync<QueryException>(() => _queries.StopJobAsync("a.b"));
        var badLimit = await Assert.ThrowsAsync<QueryException>(() => _queries.ListJobsAsync(new ListJobsQuery(Limit: 500)));
        var (raw, isError) = await _queries.RequestRawAsync(Subjects.QueryJobStatus, Encoding.UTF8.GetBytes("{not json"));
        var approveBadId = await Assert.ThrowsAsync<QueryException>(() => _queries.ApproveJobAsync("a.b"));
        var rejectUnknown = await Assert.ThrowsAsync<QueryException>(() => _queries.RejectJobAsync("no-such-job"));
        var pending = (await _jobs.CreateAsync(new JobRecord { Id = NewId("job"), Repository = "/srv/repos/demo.git", Title = "not ready" })).Job;
        var tooEarly = await Assert.ThrowsAsync<QueryException>(() => _queries.ApproveJobAsync(pending.Id, "alice"));

        Assert.Equal(QueryErrorCodes.NotFound, unknown.Error.Code);
        Assert.Contains("no-such-job", unknown.Error.Message);
        Assert.Equal(QueryErrorCodes.BadRequest, badId.Error.Code);
        Assert.Equal(QueryErrorCodes.BadRequest, badLimit.Error.Code);
        Assert.True(isError);
        Assert.Equal(QueryErrorCodes.BadRequest, MessageSerializer.DeserializeMessage<QueryError>(raw).Code);
        Assert.Equal(QueryErrorCodes.BadRequest, approveBadId.Error.Code);
        Assert.Equal(QueryErrorCodes.NotFound, rejectUnknown.Error.Code);
        Assert.Equal(QueryErrorCodes.Conflict, tooEarly.Error.Code);
        Assert.Contains("PENDING, not AWAITING_APPROVAL", tooEarly.Error.Message);
    }

    [Fact]
    public async Task Agents_lists_the_three_agents_healthy_with_their_figures()
    {
        var reply = await Eventually.ReturnsAsync(
            ct => _queries.AgentsAsync(cancellationToken: ct),
            r => r.Agents.Where(a => a.Healthy).Select(a => a.AgentType).Distinct().Count() == 3, Patience,
            "heartbeats from the three agents");

        Assert.Equal(
            [AgentType.Coder, AgentType.Reviewer, AgentType.RepoManager],
            reply.Agents.Where(a => a.Healthy).Select(a => a.AgentType).Distinct().OrderBy(t => t));
        Assert.All(reply.Agents, a => Assert.True(a.UptimeSeconds >= 0));
    }

    private static string NewId(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)];
}
