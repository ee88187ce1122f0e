namespace MultiAgent.Notifications.Channels;

/// <summary>A place notifications go: a Slack or Discord webhook, or email.</summary>
public interface INotificationChannel
{
    /// <summary>The channel's name in settings, delivery records and logs ("slack", "discord", "email").</summary>
    string Name { get; }

    /// <summary>Which notifications it takes, and how many per minute.</summary>
    ChannelOptions Options { get; }

    /// <summary>Sends <paramref name="notification"/>, retrying transient failures itself.</summary>
    /// <exception cref="NotificationDeliveryException">It could not be sent; <see cref="NotificationDeliveryException.Retryable"/> says whether later may work.</exception>
    Task SendAsync(Notification notification, CancellationToken cancellationToken);
}

/// <summary>A notification a channel could not deliver.</summary>
public sealed class NotificationDeliveryException(string message, bool retryable, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>Whether the channel may take it later (down, rate limited), as opposed to refusing it (a bad address, a rejected payload).</summary>
    public bool Retryable { get; } = retryable;
}
