using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MultiAgent.Messaging;
using MultiAgent.Persistence;

namespace MultiAgent.AgentRuntime.Events;

/// <summary>Settings of the <see cref="EventRelay"/> (<c>MultiAgent:Events</c>).</summary>
public sealed class EventRelayOptions
{
    public const string SectionName = "MultiAgent:Events";

    /// <summary>How often the relay looks for stored events that were not published.</summary>
    public TimeSpan RelayInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long an event's writer has to publish it itself before the relay does.</summary>
    public TimeSpan RelayAfter { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Events published per round, at most.</summary>
    public int RelayBatchSize { get; set; } = 200;
}

/// <summary>
/// The outbox relay (run by the Repo Manager): publishes, oldest first, the job events stored in the event log that
/// their writer did not publish (NATS was away, the process died between its commit and its publish), and marks them.
/// Each goes out with its entry id as message id, so one its writer did publish as well is stored once. A round stops at
/// the first event NATS does not take, and the next round starts from it: the stream gets events in the log's order.
/// </summary>
public sealed partial class EventRelay(
    EventLog eventLog, EventPublisher events, IOptions<EventRelayOptions> options, ILogger<EventRelay> logger, TimeProvider? time = null)
    : BackgroundService
{
    private readonly EventRelayOptions _options = options.Value;
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private string? _lastProblem;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_options.RelayInterval, _time);
        do
        {
            try
            {
                while (await RelayOnceAsync(stoppingToken) == _options.RelayBatchSize)
                {
                    // A full batch: there may be more behind it.
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    /// <summary>One round: publishes what is waiting (up to a batch) and returns how many were published.</summary>
    public async Task<int> RelayOnceAsync(CancellationToken cancellationToken)
    {
        var published = new List<long>();
        try
        {
            foreach (var entry in await eventLog.ReadUnpublishedAsync(_options.RelayBatchSize, _options.RelayAfter, cancellationToken))
            {
                await events.PublishAsync(entry.ToJobEvent(), cancellationToken);
                published.Add(entry.Id);
            }

            _lastProblem = null;
        }
        catch (Exception ex) when (ex is NATS.Client.Core.NatsException or TimeoutException or Npgsql.NpgsqlException)
        {
            // Said once per kind of trouble, not every round while NATS or PostgreSQL is away.
            if (_lastProblem != ex.GetType().Name)
            {
                _lastProblem = ex.GetType().Name;
                LogRelayPaused(ex.Message);
            }
        }

        if (published.Count > 0)
        {
            await eventLog.MarkPublishedAsync(published, cancellationToken);
            LogRelayed(published.Count, published[0], published[^1]);
        }

        return published.Count;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Published {Count} stored job event(s) their writer had not (entries {First} to {Last})")]
    private partial void LogRelayed(int count, long first, long last);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stored job events wait to be published: {Reason}")]
    private partial void LogRelayPaused(string reason);
}
