using System.Text.Json.Serialization;

namespace Agents.Reviewer.Review;

/// <summary>The verdict as the model writes it (<c>{decision, summary, comments:[{file, line, severity, body}]}</c>); every member nullable, checked by <see cref="VerdictReader"/>.</summary>
internal sealed record VerdictJson(string? Decision, string? Summary, CommentJson?[]? Comments);

/// <summary>One comment of <see cref="VerdictJson"/>.</summary>
internal sealed record CommentJson(string? File, int? Line, string? Severity, string? Body);

/// <summary>Source-generated reading of <see cref="VerdictJson"/>: camelCase names, case-sensitive, unknown properties ignored.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(VerdictJson))]
internal sealed partial class VerdictJsonContext : JsonSerializerContext
{
}
