using System.Globalization;
using Microsoft.Extensions.Options;
using MultiAgent.Contracts;
using MultiAgent.Messaging;
using MultiAgent.Persistence;
using MultiAgent.Repositories.Local;
using MultiAgent.IntegrationTests.Infrastructure;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Net;
using Npgsql;

namespace MultiAgent.IntegrationTests.EndToEnd;

/// <summary>
/// A test's hands on the running system: publishes tasks on the bus (a feature for the Repo Manager, or a request
/// straight to an agent), asks the query API, waits for a job's state (polling, never sleeping), and reads what only
/// PostgreSQL holds (tasks with their payloads, the local-git host's pull requests and reviews).
/// </summary>
public sealed class SystemClient : IAsyncDisposable
{
    public static readonly TimeSpan DefaultPatience = TimeSpan.FromSeconds(90);

    private readonly NatsConnection _nats;
    private readonly NpgsqlDataSource _database;
    private readonly TaskPublisher _publisher;

    private SystemClient(NatsConnection nats, NpgsqlDataSource database)
    {
        _nats = nats;
        _database = database;
        _publisher = new TaskPublisher(nats.CreateJetStreamContext(), Options.Create(new TaskBusOptions()));
        Queries = new QueryClient(nats, TimeSpan.FromSeconds(10));
        Jobs = new JobStore(database);
        Tasks = new TaskStore(database);
        Events = new EventLog(database);
        PullRequests = new LocalPullRequestStore(database);
    }

    public QueryClient Queries { get; }

    public JobStore Jobs { get; }

    public TaskStore Tasks { get; }

    /// <summary>The job event log: what the event stream must carry, each entry once.</summary>
    public EventLog Events { get; }

    /// <summary>The local-git host's pull requests, reviews and comments (keyed by the bare repository's path).</summary>
    public LocalPullRequestStore PullRequests { get; }

    /// <summary>
    /// Connects as NATS user <c>admin</c>: the client is the harness around the agents, doing what no one role may do
    /// at once (a feature for the Repo Manager, a task straight to the Coder, reading every job). What each role may do
    /// is <c>NatsSecurityScenarios</c>'s subject.
    /// </summary>
    public static async Task<SystemClient> ConnectAsync(SystemFixture system)
    {
        // Every server of the connection string (a cluster's nodes), so that the client outlives any one of them.
        var nats = new NatsConnection(MultiAgent.Nats.NatsConnectionString.ToOptions(system.NatsUrl));
        await nats.ConnectAsync();
        return new SystemClient(nats, NpgsqlDataSource.Create(system.DatabaseConnectionString));
    }

    /// <summary>Submits a feature as the CLI does: a <see cref="FeatureRequest"/> task for the Repo Manager.</summary>
    public async Task<string> SubmitAsync(FeatureRequest feature)
    {
        await PublishAsync(MessageSerializer.Wrap(feature, AgentType.RepoManager, feature.JobId));
        return feature.JobId;
    }

    /// <summary>
    /// Records the job in PostgreSQL without telling the Repo Manager (PENDING, no events), for a test that drives an
    /// agent directly and wants no workflow of the Repo Manager's to act on the job.
    /// </summary>
    public async Task<string> RecordJobAsync(FeatureRequest feature)
    {
        await Jobs.CreateAsync(JobRecord.FromRequest(feature));
        return feature.JobId;
    }

    /// <summary>Sends <paramref name="message"/> straight to <paramref name="agent"/>'s task subject, as task <paramref name="taskId"/> of the job.</summary>
    public Task SendAsync<T>(T message, AgentType agent, string jobId, string taskId)
        where T : class =>
        PublishAsync(MessageSerializer.Wrap(message, agent, jobId, id: taskId));

    public async Task PublishAsync(TaskEnvelope envelope)
    {
        var outcome = await _publisher.PublishAsync(envelope, CancellationToken.None);
        Assert.False(outcome.IsDuplicate, $"task {envelope.Id} was a duplicate");
    }

    /// <summary>
    /// The job's status (job, tasks, timeline) once <paramref name="until"/> holds; on timeout the failure names what was
    /// awaited, the job as it last was, and the scenario's model traffic.
    /// </summary>
    public async Task<JobStatusReply> WaitForJobAsync(
        string jobId, Func<JobStatusReply, bool> until, string because, Scenario? scenario = null, TimeSpan? patience = null)
    {
        JobStatusReply? last = null;
        try
        {
            return await Eventually.ReturnsAsync(
                async ct => last = await Queries.JobStatusAsync(jobId, ct), until, patience ?? DefaultPatience, because);
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException(
                $"{ex.Message}\njob: {(last is null ? "never answered" : Describe(last))}\n{scenario?.Describe()}", ex);
        }
    }

    /// <summary>Waits until the job has a task of <paramref name="messageType"/> for <paramref name="agent"/> in <paramref name="status"/>.</summary>
    public Task<JobStatusReply> WaitForTaskAsync(
        string jobId, AgentType agent, string messageType, AgentTaskStatus status, Scenario? scenario = null, TimeSpan? patience = null) =>
        WaitForJobAsync(
            jobId, s => s.Tasks.Any(t => t.AgentType == agent && t.MessageType == messageType && t.Status == status),
            $"a {messageType} task of the {agent} to be {status} in job {jobId}", scenario, patience);

    /// <summary>The task's message as it was sent (for follow-ups an agent published, e.g. an <see cref="ImplementationResult"/>).</summary>
    public async Task<T> TaskMessageAsync<T>(string taskId)
    {
        var task = await Tasks.GetAsync(taskId) ?? throw new InvalidOperationException($"no task {taskId}");
        return task.Payload is { } payload
            ? System.Text.Json.JsonSerializer.Deserialize(payload, MessageSerializer.GetTypeInfo<T>())!
            : throw new InvalidOperationException($"task {taskId} has no payload");
    }

    /// <summary>A job's state in one paragraph: status, error, tasks, and the timeline's event types.</summary>
    public static string Describe(JobStatusReply status)
    {
        var job = status.Job;
        var tasks = status.Tasks.Select(t => string.Create(CultureInfo.InvariantCulture,
            $"{t.AgentType}/{t.MessageType}={t.Status}(x{t.Attempts}{(t.Error is null ? "" : ": " + t.Error)})"));
        return $"{job.JobId} {job.Status} iteration {job.Iteration}/{job.MaxIterations}{(job.Error is null ? "" : $", error: {job.Error}")}; " +
            $"tasks: {string.Join(", ", tasks)}; timeline: {string.Join(", ", status.Timeline.Select(e => e.Type))}";
    }

    /// <summary>The latest <paramref name="count"/> notification delivery records, newest first, one JSON object per line.</summary>
    public async Task<string> RecentDeliveriesAsync(int count = 30)
    {
        await using var rows = _database.CreateCommand(
            "SELECT row_to_json(d)::text FROM (SELECT * FROM notification_deliveries ORDER BY recorded_at DESC LIMIT @count) d");
        rows.Parameters.AddWithValue("count", count);
        await using var reader = await rows.ExecuteReaderAsync();
        var text = new System.Text.StringBuilder();
        while (await reader.ReadAsync())
        {
            text.AppendLine(reader.GetString(0));
        }

        return text.ToString();
    }

    /// <summary>Every row of every table of the system database, one JSON object per line (what a dump would hold).</summary>
    public async Task<string> DumpDatabaseAsync()
    {
        var tables = new List<string>();
        await using (var list = _database.CreateCommand(
            "SELECT quote_ident(table_schema) || '.' || quote_ident(table_name) FROM information_schema.tables " +
            "WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')"))
        await using (var reader = await list.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                tables.Add(reader.GetString(0));
            }
        }

        var dump = new System.Text.StringBuilder();
        foreach (var table in tables)
        {
            await using var rows = _database.CreateCommand($"SELECT row_to_json(t)::text FROM {table} t");
            await using var reader = await rows.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                dump.Append(table).Append(": ").AppendLine(reader.GetString(0));
            }
        }

        return dump.ToString();
    }

    /// <summary>
    /// The job's events on the event stream, in stream order, once the stream holds as many as its event log (the outbox
    /// relay may still be publishing some); fails when it holds more (an event stored twice). The log is counted once no
    /// task of the job is in progress: a job's last task records its own completion just after the job's end.
    /// </summary>
    public async Task<IReadOnlyList<JobEvent>> StreamedEventsAsync(string jobId, TimeSpan? patience = null)
    {
        await WaitForJobAsync(jobId, s => s.Tasks.All(t => t.Status != AgentTaskStatus.InProgress), "the job's last task to be recorded", patience: patience);
        var stored = (await Events.ReadAsync(jobId)).Count;
        var js = _nats.CreateJetStreamContext();
        await Eventually.ReturnsAsync(
            async ct => (await js.GetStreamAsync(Subjects.EventsStream, new() { SubjectsFilter = Subjects.EventsForJob(jobId) }, ct)).Info.State.Subjects?.Values.Sum() ?? 0,
            count => count >= stored, patience ?? DefaultPatience, $"the {stored} stored events of job {jobId} on the event stream");
        var onStream = (await js.GetStreamAsync(Subjects.EventsStream, new() { SubjectsFilter = Subjects.EventsForJob(jobId) })).Info.State.Subjects!.Values.Sum();
        Assert.True(onStream == stored, $"the stream holds {onStream} events of job {jobId}, its log {stored}");

        var events = new List<JobEvent>();
        using var timeout = new CancellationTokenSource(patience ?? DefaultPatience);
        await foreach (var jobEvent in new EventPublisher(js, Microsoft.Extensions.Logging.Abstractions.NullLogger<EventPublisher>.Instance).SubscribeAsync(jobId, timeout.Token))
        {
            events.Add(jobEvent);
            if (events.Count == stored)
            {
                break;
            }
        }

        return events;
    }

    /// <summary>Every message every JetStream stream holds (subject, headers and data), one per line.</summary>
    public async Task<string> DumpStreamsAsync()
    {
        var js = _nats.CreateJetStreamContext();
        var dump = new System.Text.StringBuilder();
        await foreach (var stream in js.ListStreamsAsync())
        {
            var last = stream.Info.State.LastSeq;
            for (var sequence = stream.Info.State.FirstSeq; sequence <= last && last > 0; sequence++)
            {
                try
                {
                    var message = await stream.GetAsync(new NATS.Client.JetStream.Models.StreamMsgGetRequest { Seq = sequence });
                    var headers = message.Message.Hdrs is { } raw ? System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(raw)) : "";
                    var data = System.Text.Encoding.UTF8.GetString(message.Message.Data.Span);
                    dump.Append(stream.Info.Config.Name).Append(' ').Append(message.Message.Subject).Append(' ')
                        .Append(headers.ReplaceLineEndings(" ")).Append(' ').AppendLine(data);
                }
                catch (NATS.Client.JetStream.NatsJSApiException ex) when (ex.Error.Code == 404)
                {
                    // Deleted (acknowledged work-queue tasks, discarded old events).
                }
            }
        }

        return dump.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        await _nats.DisposeAsync();
        await _database.DisposeAsync();
    }
}
