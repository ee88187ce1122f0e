namespace MultiAgent.Notifications;

/// <summary>Settings of one channel, common to all kinds (<c>MultiAgent:Notifications:&lt;Channel&gt;</c>).</summary>
public class ChannelOptions
{
    /// <summary>Notifications below this level are not sent.</summary>
    public NotificationLevel MinLevel { get; set; } = NotificationLevel.Info;

    /// <summary>When not empty, only these event types are sent ("job.completed", "agent.crash_loop", …).</summary>
    public List<string> Events { get; set; } = [];

    /// <summary>Messages per minute at most; what goes past it is folded into one digest message when the minute ends.</summary>
    public int RatePerMinute { get; set; } = 60;

    /// <summary>Whether <paramref name="notification"/> passes the level and the event filter.</summary>
    public bool Takes(Notification notification) =>
        notification.Level >= MinLevel && (Events.Count == 0 || Events.Contains(notification.EventType, StringComparer.Ordinal));
}

/// <summary>A Slack incoming webhook or a Discord webhook.</summary>
public sealed class WebhookChannelOptions : ChannelOptions
{
    /// <summary>The webhook's URL (a secret: whoever has it can post). The channel is off while it is empty.</summary>
    public string? WebhookUrl { get; set; }
}

/// <summary>Email over SMTP (MailKit).</summary>
public sealed class EmailChannelOptions : ChannelOptions
{
    /// <summary>The SMTP server. The channel is off while it is empty.</summary>
    public string? Host { get; set; }

    public int Port { get; set; } = 587;

    /// <summary>"StartTls" (default: required), "SslOnConnect", "Auto" (STARTTLS when offered) or "None".</summary>
    public string Security { get; set; } = "StartTls";

    public string? User { get; set; }

    /// <summary>The SMTP password (a secret).</summary>
    public string? Password { get; set; }

    public string From { get; set; } = "multiagent@localhost";

    public List<string> To { get; set; } = [];
}

/// <summary>Notifications (<c>MultiAgent:Notifications</c>), read by the Repo Manager, which sends them.</summary>
public sealed class NotificationOptions
{
    public const string SectionName = "MultiAgent:Notifications";

    public WebhookChannelOptions Slack { get; set; } = new();

    public WebhookChannelOptions Discord { get; set; } = new();

    public EmailChannelOptions Email { get; set; } = new();

    /// <summary>An event older than this when its channel gets to it (the channel was down that long) is not sent.</summary>
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Attempts at one message before the channel counts as down (then it waits and tries the same message again).</summary>
    public int MaxRetries { get; set; } = 3;

    /// <summary>The first wait between attempts (doubled each time).</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest Retry-After (429) a channel waits out within one attempt series.</summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Longest wait between two series of attempts while a channel is down.</summary>
    public TimeSpan MaxDownDelay { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long one HTTP or SMTP attempt may take.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
