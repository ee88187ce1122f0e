using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MultiAgent.Contracts;
using MultiAgent.Messaging;
using MultiAgent.IntegrationTests.Infrastructure;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Net;

namespace MultiAgent.IntegrationTests.Messaging;

/// <summary>
/// Connections to the fixture's NATS server and the task bus components over them. Creating one deletes the bus's
/// streams and ensures the topology again, so every test starts from empty streams and fresh consumers.
/// </summary>
internal sealed class TaskBusHarness : IAsyncDisposable
{
    /// <summary>Upper bound for anything a test waits for (the machine is shared and busy).</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public static readonly string[] Streams = [Subjects.TasksStream, Subjects.EventsStream, Subjects.DeadLetterStream];

    private readonly string _natsUrl;
    private readonly List<NatsConnection> _connections = [];

    private TaskBusHarness(string natsUrl, TaskBusOptions options, INatsJSContext js)
    {
        _natsUrl = natsUrl;
        Options = options;
        Js = js;
    }

    public TaskBusOptions Options { get; }

    /// <summary>The JetStream context of the harness's first connection.</summary>
    public INatsJSContext Js { get; }

    public static async Task<TaskBusHarness> CreateAsync(InfrastructureFixture fixture, Action<TaskBusOptions>? configure = null)
    {
        var options = new TaskBusOptions();
        configure?.Invoke(options);
        var connection = new NatsConnection(new NatsOpts { Url = fixture.NatsUrl });
        await connection.ConnectAsync();
        var harness = new TaskBusHarness(fixture.NatsUrl, options, connection.CreateJetStreamContext());
        harness._connections.Add(connection);

        await harness.DeleteStreamsAsync();
        using var timeout = new CancellationTokenSource(Timeout);
        await harness.Topology().EnsureAsync(timeout.Token);
        return harness;
    }

    /// <summary>A JetStream context on a connection of its own, as another process would have.</summary>
    public async Task<INatsJSContext> ConnectAsync()
    {
        var connection = new NatsConnection(new NatsOpts { Url = _natsUrl });
        await connection.ConnectAsync();
        _connections.Add(connection);
        return connection.CreateJetStreamContext();
    }

    public async Task DeleteStreamsAsync()
    {
        foreach (var stream in Streams)
        {
            try
            {
                await Js.DeleteStreamAsync(stream);
            }
            catch (NatsJSApiException ex) when (ex.Error.Code == 404)
            {
                // Not there yet.
            }
        }
    }

    public JetStreamTopology Topology(INatsJSContext? js = null) =>
        new(js ?? Js, Microsoft.Extensions.Options.Options.Create(Options), NullLogger<JetStreamTopology>.Instance);

    public TaskPublisher Publisher(INatsJSContext? js = null) => new(js ?? Js, Microsoft.Extensions.Options.Options.Create(Options));

    public TaskConsumer Consumer(INatsJSContext? js = null) =>
        new(js ?? Js, Microsoft.Extensions.Options.Options.Create(Options), NullLogger<TaskConsumer>.Instance);

    public DeadLetterPublisher DeadLetters() =>
        new(Js, Microsoft.Extensions.Options.Options.Create(Options), NullLogger<DeadLetterPublisher>.Instance);

    public EventPublisher Events() => new(Js, NullLogger<EventPublisher>.Instance);

    public async Task<long> MessageCountAsync(string stream, CancellationToken cancellationToken = default) =>
        (await Js.GetStreamAsync(stream, cancellationToken: cancellationToken)).Info.State.Messages;

    /// <summary>A valid task for <paramref name="target"/>; <paramref name="description"/> pads the payload.</summary>
    public static TaskEnvelope Envelope(AgentType target, string? id = null, string description = "", string jobId = "job-1") =>
        MessageSerializer.Wrap(
            new ImplementationRequest(jobId, id ?? "task", "acme/widgets", "main", "Add dark mode", 1, description),
            target,
            jobId,
            id: id ?? Guid.NewGuid().ToString("N"));

    /// <summary>The next delivery, or a <see cref="TimeoutException"/> naming what was awaited.</summary>
    public static async Task<T> NextAsync<T>(IAsyncEnumerator<T> enumerator, string what)
    {
        try
        {
            if (await enumerator.MoveNextAsync())
            {
                return enumerator.Current;
            }
        }
        catch (OperationCanceledException)
        {
        }

        throw new TimeoutException($"Timed out (or the enumeration ended) waiting for {what}.");
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var connection in _connections)
        {
            await connection.DisposeAsync();
        }
    }
}
