using System.Text.Json.Serialization;

namespace MultiAgent.Contracts;

/// <summary>
/// String enum converter for the wire: names come from <see cref="JsonStringEnumMemberNameAttribute"/>
/// (UPPER_SNAKE_CASE) and integer values are rejected both ways. Works with source generation.
/// </summary>
/// <typeparam name="TEnum">The enum type.</typeparam>
public sealed class WireEnumConverter<TEnum> : JsonStringEnumConverter<TEnum>
    where TEnum : struct, Enum
{
    /// <summary>Creates the converter (no naming policy; integers disallowed).</summary>
    public WireEnumConverter()
        : base(namingPolicy: null, allowIntegerValues: false)
    {
    }
}
