using NATS.Client.Core;

namespace Agents.RepoManager;

/// <summary>
/// A background service that listens on a NATS subscription for as long as the process runs: when the subscription is
/// lost (the connection closed for good, the server refused it), it is made again a second later. Subclasses say what
/// they listen to in <see cref="ListenAsync"/>, which returns only when the subscription ends.
/// </summary>
public abstract partial class NatsListener(ILogger logger, TimeProvider? time) : BackgroundService
{
    /// <summary>The clock (the system's unless one was given).</summary>
    protected TimeProvider Time { get; } = time ?? TimeProvider.System;

    /// <summary>What is listened to, for the log ("Heartbeat", "Query").</summary>
    protected abstract string Subscription { get; }

    /// <summary>Subscribes and handles what arrives until the subscription ends or <paramref name="stoppingToken"/> is cancelled.</summary>
    protected abstract Task ListenAsync(CancellationToken stoppingToken);

    /// <summary>Called when the subscription was lost, before it is made again.</summary>
    protected virtual void OnLost()
    {
    }

    protected sealed override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await ListenAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (NatsException ex)
            {
                OnLost();
                LogSubscriptionLost(logger, Subscription, ex.Message);
                await Task.Delay(TimeSpan.FromSeconds(1), Time, stoppingToken);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Subscription} subscription lost, subscribing again: {Reason}")]
    private static partial void LogSubscriptionLost(ILogger logger, string subscription, string reason);
}
