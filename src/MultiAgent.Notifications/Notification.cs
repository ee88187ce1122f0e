namespace MultiAgent.Notifications;

/// <summary>How much a notification matters; each channel sends from its minimum level up.</summary>
public enum NotificationLevel
{
    Info,
    Success,
    Warning,
    Error,
    Critical,
}

/// <summary>One labelled value shown with a notification ("Repository", "Iterations").</summary>
public sealed record NotificationField(string Name, string Value);

/// <summary>
/// What a channel sends for one event: the same content for every channel, each rendering it its own way (Slack
/// blocks, a Discord embed, an email).
/// </summary>
/// <param name="Key">The event's id on the stream (<c>job-event-&lt;id&gt;</c> or a system event's id): a channel sends one key once.</param>
/// <param name="EventType">The event type it tells of ("job.completed", "agent.crash_loop").</param>
/// <param name="Title">One line: "Job completed: Add a greeting".</param>
/// <param name="Text">What happened, in a sentence or two.</param>
/// <param name="Link">The pull request, when there is one.</param>
public sealed record Notification(
    string Key,
    string EventType,
    NotificationLevel Level,
    string Title,
    string Text,
    DateTimeOffset Timestamp,
    string? JobId = null,
    string? Link = null,
    IReadOnlyList<NotificationField>? Fields = null)
{
    public IReadOnlyList<NotificationField> Fields { get; init; } = Fields ?? [];
}
