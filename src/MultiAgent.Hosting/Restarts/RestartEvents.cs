using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using MultiAgent.Contracts;

namespace MultiAgent.Hosting.Restarts;

/// <summary>The system events the restart policy announces, with their wording and data.</summary>
public static class RestartEvents
{
    /// <summary><see cref="SystemEventTypes.AgentRestarted"/>: <paramref name="resource"/> is started again after <paramref name="delay"/>.</summary>
    public static SystemEvent Restarted(string resource, int? exitCode, TimeSpan uptime, TimeSpan delay, int restart, DateTimeOffset now) => new(
        NewId(),
        SystemEventTypes.AgentRestarted,
        resource,
        string.Create(CultureInfo.InvariantCulture,
            $"{resource} exited ({ExitCodeText(exitCode)}) after {uptime.TotalSeconds:0.#} s without being asked to; the AppHost starts it again in {delay.TotalSeconds:0.#} s (restart {restart})"),
        now,
        Data(new JsonObject
        {
            ["exitCode"] = exitCode,
            ["uptimeSeconds"] = Math.Round(uptime.TotalSeconds, 1),
            ["delaySeconds"] = Math.Round(delay.TotalSeconds, 1),
            ["restart"] = restart,
        }));

    /// <summary><see cref="SystemEventTypes.AgentCrashLoop"/>: <paramref name="resource"/> is left stopped.</summary>
    public static SystemEvent CrashLoop(string resource, int? exitCode, int shortRuns, TimeSpan minUptime, DateTimeOffset now) => new(
        NewId(),
        SystemEventTypes.AgentCrashLoop,
        resource,
        string.Create(CultureInfo.InvariantCulture,
            $"{resource} exited {shortRuns} times in a row within {minUptime.TotalSeconds:0.#} s of starting (last: {ExitCodeText(exitCode)}); the AppHost left it stopped (crash loop): its log says why; fix the cause and start it from the dashboard"),
        now,
        Data(new JsonObject
        {
            ["exitCode"] = exitCode,
            ["shortRuns"] = shortRuns,
            ["minUptimeSeconds"] = Math.Round(minUptime.TotalSeconds, 1),
        }));

    /// <summary>
    /// <paramref name="systemEvent"/> as an agent host announces it: its message names <paramref name="host"/> and its
    /// data carries it (<see cref="SystemEvent.AnnouncingHost"/>), so that the host's "coder" is not taken for the system's.
    /// </summary>
    public static SystemEvent FromHost(SystemEvent systemEvent, string host)
    {
        ArgumentNullException.ThrowIfNull(systemEvent);
        ArgumentException.ThrowIfNullOrWhiteSpace(host);
        var data = systemEvent.Data is { ValueKind: JsonValueKind.Object } known
            ? JsonObject.Create(known) ?? []
            : [];
        data["host"] = host;
        return systemEvent with { Message = $"{systemEvent.Message} (agent host {host})", Data = Data(data) };
    }

    private static string NewId() => "sys-" + Guid.NewGuid().ToString("N");

    private static string ExitCodeText(int? exitCode) => exitCode is { } code ? $"exit code {code}" : "no exit code";

    private static JsonElement Data(JsonObject data) => JsonSerializer.SerializeToElement(data, RestartEventsJsonContext.Default.JsonObject);
}

[System.Text.Json.Serialization.JsonSerializable(typeof(JsonObject))]
internal sealed partial class RestartEventsJsonContext : System.Text.Json.Serialization.JsonSerializerContext
{
}
