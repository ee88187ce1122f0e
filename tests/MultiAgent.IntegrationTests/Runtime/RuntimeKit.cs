using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MultiAgent.Contracts;
using MultiAgent.Messaging;
using MultiAgent.Persistence;
using MultiAgent.IntegrationTests.Infrastructure;
using MultiAgent.TestAgent;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using NATS.Net;
using Npgsql;

namespace MultiAgent.IntegrationTests.Runtime;

/// <summary>
/// What a runtime test works with, on the fixture's real servers: clean JetStream streams, the job store, a publisher,
/// and ways to observe what the agent processes did.
/// </summary>
internal sealed class RuntimeKit : IAsyncDisposable
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(45);

    private readonly InfrastructureFixture _fixture;
    private readonly List<AgentProcess> _agents = [];

    private RuntimeKit(InfrastructureFixture fixture, NatsConnection nats, NpgsqlDataSource database)
    {
        _fixture = fixture;
        Nats = nats;
        Js = nats.CreateJetStreamContext();
        Database = database;
        Jobs = new JobStore(database);
        Tasks = new TaskStore(database);
        Events = new EventLog(database);
        Publisher = new TaskPublisher(Js, Options.Create(new TaskBusOptions()));
    }

    public NatsConnection Nats { get; }
    public INatsJSContext Js { get; }
    public NpgsqlDataSource Database { get; }
    public JobStore Jobs { get; }
    public TaskStore Tasks { get; }
    public EventLog Events { get; }
    public TaskPublisher Publisher { get; }

    public static async Task<RuntimeKit> CreateAsync(InfrastructureFixture fixture)
    {
        var nats = new NatsConnection(new NatsOpts { Url = fixture.NatsUrl });
        await nats.ConnectAsync();
        var database = NpgsqlDataSource.Create(fixture.DatabaseConnectionString);
        var kit = new RuntimeKit(fixture, nats, database);
        await MultiAgent.IntegrationTests.Persistence.TestSchema.Migrator(database).MigrateAsync();

        // Tests of this collection share the server: each starts from empty streams.
        foreach (var stream in new[] { Subjects.TasksStream, Subjects.EventsStream, Subjects.DeadLetterStream })
        {
            try
            {
                await kit.Js.DeleteStreamAsync(stream);
            }
            catch (NatsJSApiException ex) when (ex.Error.Code == 404)
            {
            }
        }

        await new JetStreamTopology(kit.Js, Options.Create(new TaskBusOptions()), NullLogger<JetStreamTopology>.Instance).EnsureAsync(default);
        return kit;
    }

    public AgentProcess StartAgent(IDictionary<string, string>? settings = null)
    {
        var agent = AgentProcess.Start(_fixture.NatsUrl, _fixture.DatabaseConnectionString, settings);
        _agents.Add(agent);
        return agent;
    }

    public async Task<JobRecord> CreateJobAsync()
    {
        var job = new JobRecord
        {
            Id = "job-" + Guid.NewGuid().ToString("N")[..12],
            Repository = "/srv/repos/demo.git",
            Title = "runtime test",
            Status = JobStatus.Implementing,
        };
        return (await Jobs.CreateAsync(job)).Job;
    }

    /// <summary>An ImplementationRequest for the Coder whose title picks the test agent's script.</summary>
    public static TaskEnvelope Request(JobRecord job, string script)
    {
        var taskId = "task-" + Guid.NewGuid().ToString("N")[..12];
        var request = new ImplementationRequest(job.Id, taskId, job.Repository, "main", script, Iteration: 1);
        return MessageSerializer.Wrap(request, AgentType.Coder, job.Id, id: taskId);
    }

    public async Task<TaskRecord> WaitForTaskAsync(string taskId, AgentTaskStatus status) =>
        (await WithAgentOutputAsync(() => Eventually.ReturnsAsync(ct => Tasks.GetAsync(taskId, ct), t => t?.Status == status, Patience,
            $"task {taskId} to be {status}")))!;

    public async Task<JobRecord> WaitForJobAsync(string jobId, JobStatus status) =>
        (await WithAgentOutputAsync(() => Eventually.ReturnsAsync(ct => Jobs.GetAsync(jobId, ct), j => j?.Status == status, Patience,
            $"job {jobId} to be {status}")))!;

    /// <summary>A wait that timed out says what the agents printed last: the only trace of what they were doing.</summary>
    private async Task<T> WithAgentOutputAsync<T>(Func<Task<T>> wait)
    {
        try
        {
            return await wait();
        }
        catch (TimeoutException ex)
        {
            var tails = _agents.Select(a =>
                $"--- agent {a.InstanceId} (exited: {a.HasExited}), last lines:\n" +
                string.Join('\n', a.Output.Split('\n').TakeLast(40)));
            throw new TimeoutException(ex.Message + "\n" + string.Join('\n', tails), ex);
        }
    }

    /// <summary>
    /// Waits until <paramref name="count"/> tasks of the job have finished their bookkeeping: the task row turns
    /// COMPLETED first, then token usage, follow-ups and the task.completed timeline entry follow; this waits for the last.
    /// </summary>
    public Task WaitForCompletedEventsAsync(string jobId, int count) =>
        Eventually.ReturnsAsync(
            async ct => (await Events.ReadAsync(jobId, cancellationToken: ct)).Count(e => e.Type == JobEventTypes.TaskCompleted),
            n => n >= count, Patience, $"{count} task.completed entries in the timeline of {jobId}");

    /// <summary>Runs of the handler recorded by the test agent, in order: (instance, attempt).</summary>
    public async Task<IReadOnlyList<(string Instance, int Attempt)>> ExecutionsAsync(string jobId) =>
        (await Events.ReadAsync(jobId))
            .Where(e => e.Type == ScriptedImplementationHandler.ExecutedEvent)
            .Select(e => (e.Message, e.Data!.Value.GetProperty("attempt").GetInt32()))
            .ToList();

    /// <summary>Messages currently stored on a subject of the tasks stream.</summary>
    public async Task<long> StoredOnAsync(string subject)
    {
        var stream = await Js.GetStreamAsync(Subjects.TasksStream, new StreamInfoRequest { SubjectsFilter = subject });
        return stream.Info.State.Subjects is { } subjects && subjects.TryGetValue(subject, out var count) ? count : 0;
    }

    /// <summary>
    /// The messages stored on <paramref name="subject"/> once there are at least <paramref name="expected"/>: a task's
    /// follow-ups are published just after its completion and its event are stored, so a test that saw those waits for
    /// them (and then checks there are no more).
    /// </summary>
    public Task<long> StoredOnAsync(string subject, long expected) =>
        Eventually.ReturnsAsync(_ => StoredOnAsync(subject), n => n >= expected, Patience, $"{expected} message(s) on {subject}");

    public async ValueTask DisposeAsync()
    {
        foreach (var agent in _agents)
        {
            await agent.DisposeAsync();
        }

        await Nats.DisposeAsync();
        await Database.DisposeAsync();
    }
}
