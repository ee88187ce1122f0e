using System.Text.Json.Nodes;

namespace MultiAgent.Notifications.Channels;

/// <summary>
/// A Slack incoming webhook: Block Kit blocks (the title as a header, the text, the fields, a button to the pull
/// request) in an attachment coloured by level; <c>text</c> is the fallback shown in notifications.
/// </summary>
public sealed class SlackChannel(WebhookChannelOptions options, WebhookPoster poster) : WebhookChannel(options, poster)
{
    public override string Name => "slack";

    protected override JsonObject Render(Notification notification) => Payload(notification);

    /// <summary>The JSON Slack is sent for <paramref name="notification"/>.</summary>
    public static JsonObject Payload(Notification notification)
    {
        var blocks = new JsonArray
        {
            new JsonObject
            {
                ["type"] = "header",
                ["text"] = new JsonObject { ["type"] = "plain_text", ["text"] = Limit(notification.Title, 150), ["emoji"] = true },
            },
            new JsonObject
            {
                ["type"] = "section",
                ["text"] = new JsonObject { ["type"] = "mrkdwn", ["text"] = Limit(Escape(notification.Text), 3000) },
            },
        };
        if (notification.Fields.Count > 0)
        {
            blocks.Add(new JsonObject
            {
                ["type"] = "section",
                ["fields"] = new JsonArray([.. notification.Fields.Take(10).Select(f =>
                    (JsonNode)new JsonObject { ["type"] = "mrkdwn", ["text"] = Limit($"*{Escape(f.Name)}*\n{Escape(f.Value)}", 2000) })]),
            });
        }

        if (notification.Link is { } link)
        {
            blocks.Add(new JsonObject
            {
                ["type"] = "actions",
                ["elements"] = new JsonArray(new JsonObject
                {
                    ["type"] = "button",
                    ["text"] = new JsonObject { ["type"] = "plain_text", ["text"] = "Open the pull request" },
                    ["url"] = link,
                }),
            });
        }

        blocks.Add(new JsonObject
        {
            ["type"] = "context",
            ["elements"] = new JsonArray(new JsonObject
            {
                ["type"] = "mrkdwn",
                ["text"] = $"{notification.Level.ToString().ToLowerInvariant()} · {notification.EventType} · <!date^{notification.Timestamp.ToUnixTimeSeconds()}^{{date_short_pretty}} {{time}}|{notification.Timestamp:u}>",
            }),
        });

        return new JsonObject
        {
            ["text"] = Limit($"{notification.Title}: {notification.Text}", 3000),
            ["attachments"] = new JsonArray(new JsonObject { ["color"] = Colour(notification.Level), ["blocks"] = blocks }),
        };
    }

    /// <summary>The attachment's colour bar: green for success, amber for a warning, red for an error, dark red when critical.</summary>
    public static string Colour(NotificationLevel level) => level switch
    {
        NotificationLevel.Success => "#2EB67D",
        NotificationLevel.Warning => "#ECB22E",
        NotificationLevel.Error => "#E01E5A",
        NotificationLevel.Critical => "#8B0000",
        _ => "#1D9BD1",
    };

    // Slack's mrkdwn treats &, < and > as control characters.
    private static string Escape(string text) => text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);
}
