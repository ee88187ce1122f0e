using System.Text.Json;

namespace MultiAgent.Contracts;

/// <summary>
/// Something that happened to the system rather than to one job (an agent or server restarted, or left stopped in a
/// crash loop), published on <see cref="Subjects.EventsStream"/> beside the job events, under
/// "multiagent.system.&lt;resource&gt;.&lt;type token&gt;" (<see cref="SystemEventTypes.Subject"/>).
/// </summary>
/// <param name="Id">Unique per event; the message id on the stream, so a publish repeated after a lost answer is stored once.</param>
/// <param name="Type">What happened; one of <see cref="SystemEventTypes"/> (e.g. "agent.crash_loop").</param>
/// <param name="Resource">The AppHost's name of the part concerned: "coder", "reviewer", "repomanager", "nats", "postgres".</param>
/// <param name="Message">Human-readable description.</param>
/// <param name="Timestamp">When it happened.</param>
/// <param name="Data">Extra structured detail (exit code, uptime, restart number, short runs; "host" when an agent host announced it).</param>
public sealed record SystemEvent(
    string Id,
    string Type,
    string Resource,
    string Message,
    DateTimeOffset Timestamp,
    JsonElement? Data = null)
{
    /// <summary>
    /// The agent host whose AppHost announced the event (data "host": several hosts may each run a resource named
    /// "coder"), or null when it was the system's own AppHost.
    /// </summary>
    public string? AnnouncingHost() =>
        Data is { ValueKind: JsonValueKind.Object } data && data.TryGetProperty("host", out var host) && host.ValueKind == JsonValueKind.String
            ? host.GetString()
            : null;
}
