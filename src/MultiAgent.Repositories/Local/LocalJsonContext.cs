using System.Text.Json;
using System.Text.Json.Serialization;
using MultiAgent.Contracts;

namespace MultiAgent.Repositories.Local;

/// <summary>Source-generated JSON for what the local pull request store keeps in jsonb and text columns (contract wire names).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    RespectNullableAnnotations = true)]
[JsonSerializable(typeof(ReviewComment[]))]
[JsonSerializable(typeof(ReviewDecision))]
internal sealed partial class LocalJsonContext : JsonSerializerContext
{
    /// <summary>APPROVE / REQUEST_CHANGES.</summary>
    public static string WireName(ReviewDecision decision) =>
        JsonSerializer.Serialize(decision, Default.ReviewDecision).Trim('"');

    public static ReviewDecision ParseDecision(string name) =>
        JsonSerializer.Deserialize($"\"{name}\"", Default.ReviewDecision);
}
