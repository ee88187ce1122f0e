using System.Diagnostics;
using System.Text.Json.Serialization;

namespace MultiAgent.Contracts.Telemetry;

/// <summary>
/// Where a task's wall time went, in milliseconds: waiting for the model, running the coding tools, running the
/// repository's check, and git (and the repository host); whatever is left of <see cref="TotalMs"/> is the system's
/// own work (the store, the bus, the workflow). Part of each <c>task.completed</c> event's data (<c>work</c>).
/// Each span counts once, for the innermost kind it is in: a check the model ran through a tool is check time.
/// </summary>
public sealed record WorkTimes(
    [property: JsonPropertyName("modelMs")] double ModelMs,
    [property: JsonPropertyName("toolsMs")] double ToolsMs,
    [property: JsonPropertyName("checkMs")] double CheckMs,
    [property: JsonPropertyName("gitMs")] double GitMs,
    [property: JsonPropertyName("totalMs")] double TotalMs)
{
    /// <summary>The rest of <see cref="TotalMs"/>: the system's own work.</summary>
    [JsonIgnore]
    public double OwnMs => Math.Max(0, TotalMs - ModelMs - ToolsMs - CheckMs - GitMs);
}

/// <summary>
/// How the work that <see cref="WorkTimes"/> counts is marked: a span of the <see cref="SourceName"/> source with the
/// <see cref="Tag"/> tag naming its kind, or a generative-AI client span (<c>gen_ai.operation.name</c>), which is model
/// time. Every layer marks its own spans, so the runtime can add them up without depending on the layers.
/// </summary>
public static class WorkSpans
{
    /// <summary>The system's own activity source (spans of tasks, tools, checks, git).</summary>
    public const string SourceName = "MultiAgent";

    /// <summary>The tag naming a span's kind of work.</summary>
    public const string Tag = "multiagent.work";

    public const string Model = "model";
    public const string Tools = "tools";
    public const string Check = "check";
    public const string Git = "git";

    /// <summary>The OpenTelemetry semantic-convention tag that generative-AI client spans carry.</summary>
    public const string GenAiOperationTag = "gen_ai.operation.name";

    private static readonly ActivitySource Source = new(SourceName);

    /// <summary>Starts a span of <paramref name="kind"/> named <paramref name="name"/> (null when nothing listens).</summary>
    public static Activity? Start(string kind, string name)
    {
        var activity = Source.StartActivity(name, ActivityKind.Internal);
        activity?.SetTag(Tag, kind);
        return activity;
    }

    /// <summary>The kind of work a span is, or null when it is none of them.</summary>
    public static string? KindOf(Activity activity) =>
        activity.GetTagItem(Tag) as string
        ?? (activity.GetTagItem(GenAiOperationTag) is string operation && operation is "chat" or "text_completion" or "generate_content" ? Model : null);
}
