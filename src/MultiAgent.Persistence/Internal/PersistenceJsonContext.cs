using System.Text.Json.Serialization;

namespace MultiAgent.Persistence.Internal;

/// <summary>Source-generated JSON metadata for the store's own jsonb columns (job requirements).</summary>
[JsonSerializable(typeof(string[]))]
internal sealed partial class PersistenceJsonContext : JsonSerializerContext
{
}
