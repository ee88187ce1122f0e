using System.Globalization;
using System.Text.Json.Nodes;

namespace MultiAgent.Notifications.Channels;

/// <summary>A Discord webhook: one embed with the title (linking the pull request), the text, the fields, coloured by level.</summary>
public sealed class DiscordChannel(WebhookChannelOptions options, WebhookPoster poster) : WebhookChannel(options, poster)
{
    public override string Name => "discord";

    protected override JsonObject Render(Notification notification) => Payload(notification);

    /// <summary>The JSON Discord is sent for <paramref name="notification"/>.</summary>
    public static JsonObject Payload(Notification notification)
    {
        var embed = new JsonObject
        {
            ["title"] = Limit(notification.Title, 256),
            ["description"] = Limit(notification.Text, 4096),
            ["color"] = int.Parse(SlackChannel.Colour(notification.Level)[1..], NumberStyles.HexNumber, CultureInfo.InvariantCulture),
            ["timestamp"] = notification.Timestamp.UtcDateTime.ToString("o", CultureInfo.InvariantCulture),
            ["fields"] = new JsonArray([.. notification.Fields.Take(25).Select(f =>
                (JsonNode)new JsonObject { ["name"] = Limit(f.Name, 256), ["value"] = Limit(f.Value, 1024), ["inline"] = true })]),
            ["footer"] = new JsonObject { ["text"] = $"{notification.Level.ToString().ToLowerInvariant()} · {notification.EventType}" },
        };
        if (notification.Link is { } link)
        {
            embed["url"] = link;
        }

        // No mentions from event text: "@everyone" in a job title must not ping a server.
        return new JsonObject
        {
            ["embeds"] = new JsonArray(embed),
            ["allowed_mentions"] = new JsonObject { ["parse"] = new JsonArray() },
        };
    }
}
