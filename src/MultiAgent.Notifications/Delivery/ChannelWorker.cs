using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MultiAgent.Contracts;
using MultiAgent.Notifications.Channels;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;

namespace MultiAgent.Notifications.Delivery;

/// <summary>
/// Delivers one channel's notifications: reads the event stream through a durable consumer of the channel's own
/// (<c>notify-&lt;channel&gt;</c>), so each channel keeps its place across restarts and one channel that is down holds
/// back no other; composes each event, and sends what passes the channel's level and filter. A channel that is down
/// gets the same message again after a growing wait (up to <see cref="NotificationOptions.MaxDownDelay"/>) until it takes
/// it or the event is older than <see cref="NotificationOptions.MaxAge"/>; jobs never wait for any of this. Past the
/// channel's rate, notifications are folded into one digest sent when the minute is over. Every outcome is recorded, so
/// an event delivered again by the stream is not sent again.
/// </summary>
public sealed partial class ChannelWorker(
    INotificationChannel channel,
    INatsJSContext js,
    NotificationComposer composer,
    DeliveryStore deliveries,
    NotificationOptions options,
    ILogger<ChannelWorker> logger,
    TimeProvider? time = null) : BackgroundService
{
    private const int MaxDigestTitles = 20;

    /// <summary>How long the stream waits for the worker to finish with an event before handing it out again.</summary>
    private static readonly TimeSpan AckWait = TimeSpan.FromSeconds(15);

    /// <summary>The rate limit's window (a minute; tests shorten it).</summary>
    public TimeSpan RateWindow { get; init; } = TimeSpan.FromMinutes(1);

    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>The channel's durable consumer on the event stream.</summary>
    public string ConsumerName => Subjects.NotificationConsumer(channel.Name);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var limiter = new FixedWindowRateLimiter(new FixedWindowRateLimiterOptions
        {
            PermitLimit = Math.Max(1, channel.Options.RatePerMinute),
            Window = RateWindow,
            QueueLimit = 0,
            // Replenished by the digest loop at the end of each window (on this worker's clock), right before the digest.
            AutoReplenishment = false,
        });
        var digests = SendDigestsAsync(limiter, stoppingToken);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    var consumer = await js.CreateOrUpdateConsumerAsync(Subjects.EventsStream, new ConsumerConfig(ConsumerName)
                    {
                        // A new channel starts with what happens from now on, not the stream's history.
                        DeliverPolicy = ConsumerConfigDeliverPolicy.New,
                        AckPolicy = ConsumerConfigAckPolicy.Explicit,
                        // Short, so that an event whose worker died is handed to the next one soon; a worker waiting
                        // for its channel to come back keeps the event with in-progress acknowledgements meanwhile.
                        AckWait = AckWait,
                        MaxAckPending = 1,
                    }, stoppingToken);
                    await foreach (var message in consumer.ConsumeAsync(NatsRawSerializer<byte[]>.Default, cancellationToken: stoppingToken))
                    {
                        await HandleAsync(message, limiter, stoppingToken);
                        await message.AckAsync(cancellationToken: stoppingToken);
                    }
                }
                catch (Exception ex) when (ex is NatsException or Npgsql.NpgsqlException && !stoppingToken.IsCancellationRequested)
                {
                    LogConsumerLost(channel.Name, ex.Message);
                    await Task.Delay(TimeSpan.FromSeconds(1), _time, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: the message in hand is delivered again to the next run (and not sent twice: its record).
        }

        await digests;
    }

    private async Task HandleAsync(INatsJSMsg<byte[]> message, RateLimiter limiter, CancellationToken cancellationToken)
    {
        if (await ComposeAsync(message, cancellationToken) is not { } notification || !channel.Options.Takes(notification)
            || await deliveries.IsDoneAsync(channel.Name, notification.Key, cancellationToken))
        {
            return;
        }

        using var lease = limiter.AttemptAcquire();
        if (!lease.IsAcquired)
        {
            await deliveries.RecordAsync(channel.Name, notification, DeliveryOutcome.Held, null, cancellationToken);
            return;
        }

        var (outcome, detail) = await SendUntilTakenAsync(notification, () => message.AckProgressAsync(cancellationToken: cancellationToken).AsTask(), cancellationToken);
        await deliveries.RecordAsync(channel.Name, notification, outcome, detail, cancellationToken);
    }

    private async Task<Notification?> ComposeAsync(INatsJSMsg<byte[]> message, CancellationToken cancellationToken)
    {
        try
        {
            if (message.Subject.StartsWith(Subjects.EventsAll[..^1], StringComparison.Ordinal))
            {
                return await composer.ComposeAsync(MultiAgent.Contracts.MessageSerializer.DeserializeMessage<JobEvent>(message.Data ?? []), cancellationToken);
            }

            if (message.Subject.StartsWith(Subjects.SystemEventsAll[..^1], StringComparison.Ordinal))
            {
                return NotificationComposer.Compose(MultiAgent.Contracts.MessageSerializer.DeserializeMessage<SystemEvent>(message.Data ?? []));
            }
        }
        catch (ContractViolationException ex)
        {
            LogUnreadable(channel.Name, message.Subject, ex.Message);
        }

        return null;
    }

    /// <summary>
    /// Sends until the channel takes it, refuses it for good, or it is too old; between tries (while the channel is
    /// down) waits longer each time and keeps the stream's delivery alive with <paramref name="keepAlive"/>.
    /// </summary>
    private async Task<(DeliveryOutcome Outcome, string? Detail)> SendUntilTakenAsync(Notification notification, Func<Task> keepAlive, CancellationToken cancellationToken)
    {
        var wait = options.RetryBaseDelay;
        for (var attempt = 1; ; attempt++)
        {
            if (_time.GetUtcNow() - notification.Timestamp > options.MaxAge)
            {
                LogExpired(channel.Name, notification.EventType, notification.Key, options.MaxAge.TotalHours);
                return (DeliveryOutcome.Expired, $"older than {options.MaxAge}");
            }

            try
            {
                await channel.SendAsync(notification, cancellationToken);
                LogSent(channel.Name, notification.EventType, notification.Key);
                return (DeliveryOutcome.Sent, attempt > 1 ? string.Create(CultureInfo.InvariantCulture, $"after {attempt} tries") : null);
            }
            catch (NotificationDeliveryException ex) when (!ex.Retryable)
            {
                LogRefused(channel.Name, notification.EventType, notification.Key, ex.Message);
                return (DeliveryOutcome.Refused, ex.Message);
            }
            catch (NotificationDeliveryException ex)
            {
                LogDown(channel.Name, ex.Message, wait.TotalSeconds);
                // In slices of a third of AckWait, each followed by an in-progress acknowledgement, so the stream does
                // not hand the event out again while this worker still holds it.
                for (var waited = TimeSpan.Zero; waited < wait;)
                {
                    var slice = TimeSpan.FromTicks(Math.Min((wait - waited).Ticks, AckWait.Ticks / 3));
                    await Task.Delay(slice, _time, cancellationToken);
                    await keepAlive();
                    waited += slice;
                }

                wait = TimeSpan.FromTicks(Math.Min(wait.Ticks * 2, options.MaxDownDelay.Ticks));
            }
        }
    }

    /// <summary>
    /// Once a window: what the rate limit held back, as one message. The held ones are read from the delivery records,
    /// so a digest due when the process died is sent by the next one.
    /// </summary>
    private async Task SendDigestsAsync(FixedWindowRateLimiter limiter, CancellationToken cancellationToken)
    {
        try
        {
            using var timer = new PeriodicTimer(RateWindow, _time);
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                limiter.TryReplenish();
                try
                {
                    var held = await deliveries.ReadHeldAsync(channel.Name, cancellationToken);
                    if (held.Count == 0)
                    {
                        continue;
                    }

                    using var lease = limiter.AttemptAcquire();
                    await SendUntilTakenAsync(Digest(held, _time.GetUtcNow()), () => Task.CompletedTask, cancellationToken);
                    // Sent: recorded even when the worker is stopping, or its next start would send the digest again.
                    await deliveries.MarkDigestedAsync(channel.Name, [.. held.Select(n => n.Key)], CancellationToken.None);
                }
                catch (Npgsql.NpgsqlException ex)
                {
                    // The held records stay held: the next window tries again.
                    LogDigestPostponed(channel.Name, ex.Message);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    /// <summary>
    /// The message that stands for <paramref name="held"/>: how many, and their titles, each once with how often it
    /// came (in order of first appearance; past 20 different titles, how many more there are).
    /// </summary>
    public static Notification Digest(IReadOnlyList<Notification> held, DateTimeOffset now)
    {
        var groups = held.GroupBy(n => n.Title).Select(g => g.Count() > 1 ? $"{g.Key} (×{g.Count()})" : g.Key).ToList();
        var titles = string.Join("; ", groups.Take(MaxDigestTitles))
            + (groups.Count > MaxDigestTitles ? string.Create(CultureInfo.InvariantCulture, $"; and {groups.Count - MaxDigestTitles} more") : "");
        return new Notification(
            "digest-" + Guid.NewGuid().ToString("N"), "notifications.digest", held.Max(n => n.Level),
            string.Create(CultureInfo.InvariantCulture, $"And {held.Count} more events"),
            string.Create(CultureInfo.InvariantCulture, $"and {held.Count} more events (past the rate limit): {titles}"), now);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Notification {Type} ({Key}) sent to {Channel}")]
    private partial void LogSent(string channel, string type, string key);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Channel} is not taking notifications ({Reason}); trying again in {Delay:0.#} s")]
    private partial void LogDown(string channel, string reason, double delay);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Channel} refused notification {Type} ({Key}): {Reason}")]
    private partial void LogRefused(string channel, string type, string key, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Notification {Type} ({Key}) not sent to {Channel}: older than {MaxAgeHours} h")]
    private partial void LogExpired(string channel, string type, string key, double maxAgeHours);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Channel}: skipped an unreadable event on {Subject}: {Reason}")]
    private partial void LogUnreadable(string channel, string subject, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Channel}: the digest waits for the next window, the delivery records could not be read or written: {Reason}")]
    private partial void LogDigestPostponed(string channel, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Channel}: the event stream's consumer was lost, making it again: {Reason}")]
    private partial void LogConsumerLost(string channel, string reason);
}
