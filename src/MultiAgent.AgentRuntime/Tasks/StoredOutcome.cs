using System.Text.Json;
using System.Text.Json.Serialization;
using MultiAgent.Contracts;

namespace MultiAgent.AgentRuntime.Tasks;

/// <summary>A finished task's outcome as the task store keeps it (tasks.outcome).</summary>
internal sealed record StoredOutcome(string Summary, IReadOnlyList<TaskEnvelope> FollowUps)
{
    public JsonElement ToJson() => JsonSerializer.SerializeToElement(this, RuntimeJsonContext.Default.StoredOutcome);

    public static StoredOutcome? FromJson(JsonElement? json) =>
        json is { ValueKind: JsonValueKind.Object } element
            ? element.Deserialize(RuntimeJsonContext.Default.StoredOutcome)
            : null;
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(StoredOutcome))]
internal sealed partial class RuntimeJsonContext : JsonSerializerContext;
