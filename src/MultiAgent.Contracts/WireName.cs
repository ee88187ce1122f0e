using System.Collections.Frozen;
using System.Text.Json;
namespace MultiAgent.Contracts;

/// <summary>
/// The wire name (UPPER_SNAKE_CASE) of each value of a contracts enum, taken from the contracts' own JSON metadata:
/// what goes over the bus, is stored in the database, and is shown to users.
/// </summary>
public static class WireName<TEnum>
    where TEnum : struct, Enum
{
    private static readonly FrozenDictionary<TEnum, string> NamesByValue =
        Enum.GetValues<TEnum>().ToFrozenDictionary(value => value, Serialize);

    private static readonly FrozenDictionary<string, TEnum> ValuesByName =
        NamesByValue.ToFrozenDictionary(pair => pair.Value, pair => pair.Key, StringComparer.Ordinal);

    /// <summary>The wire name of <paramref name="value"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="value"/> is not a defined member.</exception>
    public static string Of(TEnum value) =>
        NamesByValue.TryGetValue(value, out var name)
            ? name
            : throw new ArgumentOutOfRangeException(nameof(value), value, $"Not a defined {typeof(TEnum).Name}.");

    /// <summary>The member whose wire name is <paramref name="name"/> (exact), e.g. as read from the database.</summary>
    /// <exception cref="InvalidOperationException">The name is not one this build knows.</exception>
    public static TEnum Parse(string name) =>
        ValuesByName.TryGetValue(name, out var value)
            ? value
            : throw new InvalidOperationException($"'{name}' is not a {typeof(TEnum).Name} wire name.");

    /// <summary>The member whose wire name is <paramref name="name"/> (exact, ordinal), or false for any other text.</summary>
    public static bool TryParse(string? name, out TEnum value)
    {
        value = default;
        return name is not null && ValuesByName.TryGetValue(name, out value);
    }

    /// <summary>Every wire name, in declaration order.</summary>
    public static IEnumerable<string> All => Enum.GetValues<TEnum>().Select(Of);

    private static string Serialize(TEnum value)
    {
        using var document = JsonDocument.Parse(MessageSerializer.SerializeMessage(value));
        return document.RootElement.GetString()
            ?? throw new InvalidOperationException($"{typeof(TEnum).Name}.{value} has no wire name.");
    }
}
