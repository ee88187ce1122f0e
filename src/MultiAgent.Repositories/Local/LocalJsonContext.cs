using System.Text.Json.Serialization;
using MultiAgent.Contracts;

namespace MultiAgent.Repositories.Local;

/// <summary>Source-generated JSON for what the local pull request store keeps in jsonb and text columns (contract wire names).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    RespectNullableAnnotations = true)]
[JsonSerializable(typeof(ReviewComment[]))]
internal sealed partial class LocalJsonContext : JsonSerializerContext
{
}
