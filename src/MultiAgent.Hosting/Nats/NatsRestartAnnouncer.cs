using System.Threading.Channels;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MultiAgent.Contracts;
using MultiAgent.Hosting.Restarts;
using MultiAgent.Messaging;
using MultiAgent.Nats;
using NATS.Client.Core;
using NATS.Net;
using Polly;
using Polly.Retry;

namespace MultiAgent.Hosting.Nats;

/// <summary>
/// Publishes the restart policy's events to the system's event stream, as the NATS user <see cref="NatsUsers.AppHost"/>
/// (<paramref name="connectionString"/> is that user's: the AppHost's own NATS, or the joined system's). Announcements queue in memory and go out in order; one that NATS does not take
/// (NATS is itself being restarted, the stream is not made yet) is tried again, backing off to every 10 s, until it is
/// stored or the AppHost stops. Its id is the message id, so a retry after a lost answer stores it once. An agent host's
/// announcer names its <paramref name="host"/> in each event (<see cref="RestartEvents.FromHost"/>).
/// </summary>
public sealed partial class NatsRestartAnnouncer(ReferenceExpression connectionString, ILogger<NatsRestartAnnouncer> logger, string? host = null)
    : BackgroundService, IRestartAnnouncer
{
    /// <summary>Announcements kept while NATS is away; past it the oldest are dropped (and logged).</summary>
    public const int Capacity = 1000;

    private readonly Channel<SystemEvent> _queue = Channel.CreateBounded<SystemEvent>(
        new BoundedChannelOptions(Capacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
        dropped => LogDropped(logger, dropped.Type, dropped.Resource, Capacity));

    private readonly ResiliencePipeline _retry = new ResiliencePipelineBuilder()
        .AddRetry(new RetryStrategyOptions
        {
            MaxRetryAttempts = int.MaxValue,
            BackoffType = DelayBackoffType.Exponential,
            Delay = TimeSpan.FromMilliseconds(500),
            MaxDelay = TimeSpan.FromSeconds(10),
            UseJitter = true,
            ShouldHandle = new PredicateBuilder().Handle<Exception>(ex => ex is not OperationCanceledException),
            OnRetry = args =>
            {
                if (args.AttemptNumber == 0 || args.AttemptNumber % 10 == 0)
                {
                    LogRetrying(logger, args.Outcome.Exception?.Message ?? "no answer", args.RetryDelay.TotalSeconds);
                }

                return ValueTask.CompletedTask;
            },
        })
        .Build();

    public void Announce(SystemEvent systemEvent)
    {
        ArgumentNullException.ThrowIfNull(systemEvent);
        _queue.Writer.TryWrite(host is null ? systemEvent : RestartEvents.FromHost(systemEvent, host));
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        NatsConnection? connection = null;
        try
        {
            await foreach (var systemEvent in _queue.Reader.ReadAllAsync(stoppingToken))
            {
                await _retry.ExecuteAsync(async token =>
                {
                    connection ??= await ConnectAsync(token);
                    await SystemEventStream.PublishAsync(connection.CreateJetStreamContext(), systemEvent, token);
                }, stoppingToken);
                LogPublished(logger, systemEvent.Type, systemEvent.Resource);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The AppHost is stopping; what is still queued is only in its log.
        }
        finally
        {
            if (connection is not null)
            {
                await connection.DisposeAsync();
            }
        }
    }

    private async Task<NatsConnection> ConnectAsync(CancellationToken cancellationToken)
    {
        var url = await connectionString.GetValueAsync(cancellationToken)
            ?? throw new InvalidOperationException("NATS has no address yet.");
        var connection = new NatsConnection(NatsConnectionString.ToOptions(url, NatsOpts.Default with { Name = "apphost" }));
        try
        {
            await connection.ConnectAsync();
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Announced {Type} of {Resource} on the event stream")]
    private static partial void LogPublished(ILogger logger, string type, string resource);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not announce a restart event on the event stream yet ({Reason}); trying again in {Delay:0.#} s")]
    private static partial void LogRetrying(ILogger logger, string reason, double delay);

    [LoggerMessage(Level = LogLevel.Error, Message = "Dropped the announcement {Type} of {Resource}: {Capacity} announcements were waiting for NATS")]
    private static partial void LogDropped(ILogger logger, string type, string resource, int capacity);
}
