using System.Text.Json.Nodes;

namespace MultiAgent.Notifications.Channels;

/// <summary>A channel that posts one JSON payload per notification to a webhook (Slack, Discord).</summary>
public abstract class WebhookChannel(WebhookChannelOptions options, WebhookPoster poster) : INotificationChannel
{
    public abstract string Name { get; }

    public ChannelOptions Options => options;

    public Task SendAsync(Notification notification, CancellationToken cancellationToken) =>
        poster.PostAsync(Name, options.WebhookUrl!, Render(notification), cancellationToken);

    /// <summary>The payload posted for <paramref name="notification"/>.</summary>
    protected abstract JsonObject Render(Notification notification);

    /// <summary><paramref name="text"/> cut to <paramref name="max"/> characters (an ellipsis last), as the webhooks' field limits require.</summary>
    protected static string Limit(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";
}
