using MultiAgent.Contracts;

namespace MultiAgent.Cli.Output;

/// <summary>Enum values by their wire names (PENDING, REPO_MANAGER, …), as the contracts serialize them.</summary>
internal static class Wire
{
    public static string Name<T>(T value)
        where T : struct, Enum => WireName<T>.Of(value);

    /// <summary>Parses a wire name, case-insensitively, with '-' for '_' ("awaiting-approval").</summary>
    public static bool TryParse<T>(string text, out T value)
        where T : struct, Enum
    {
        var wanted = text.Trim().Replace('-', '_');
        foreach (var candidate in Enum.GetValues<T>())
        {
            if (string.Equals(Name(candidate), wanted, StringComparison.OrdinalIgnoreCase))
            {
                value = candidate;
                return true;
            }
        }

        value = default;
        return false;
    }

    public static IEnumerable<string> Names<T>()
        where T : struct, Enum => WireName<T>.All;
}
