using System.CommandLine;
using MultiAgent.Cli.Output;

namespace MultiAgent.Cli.Commands;

/// <summary>What the list commands share: <c>--status</c>, <c>--limit</c> and <c>--offset</c>, checked before anything is sent.</summary>
internal static class Paging
{
    /// <summary>The most items one page may have (as the query API allows).</summary>
    public const int MaxLimit = 200;

    public static Option<string?> StatusOption<TState>(string what) where TState : struct, Enum
    {
        var option = new Option<string?>("--status")
        {
            Description = $"Only {what} in this state: {string.Join(", ", Wire.Names<TState>())} (any case)",
            HelpName = "state",
        };

        // Completed by the shells (multi-agent completion): the states, as the help writes them.
        option.CompletionSources.Add([.. Wire.Names<TState>()]);
        return option;
    }

    public static Option<int> LimitOption(string what) => new("--limit")
    {
        Description = $"How many {what} to show (1 to {MaxLimit})",
        HelpName = "N",
        DefaultValueFactory = _ => 20,
    };

    public static Option<int> OffsetOption(string what) => new("--offset")
    {
        Description = $"How many of the newest {what} to skip",
        HelpName = "N",
        DefaultValueFactory = _ => 0,
    };

    /// <summary>The <c>--status</c> given, or null.</summary>
    /// <exception cref="CliException">It names no state (a usage error).</exception>
    public static TState? Status<TState>(ParseResult parseResult, Option<string?> status, string what) where TState : struct, Enum =>
        parseResult.GetValue(status) is not { } text
            ? null
            : Wire.TryParse<TState>(text, out var parsed)
                ? parsed
                : throw CliException.Usage($"--status '{text}' is not a {what} state; one of {string.Join(", ", Wire.Names<TState>())}");

    /// <summary>The page asked for.</summary>
    /// <exception cref="CliException">The limit is not 1 to <see cref="MaxLimit"/> or the offset is negative (a usage error).</exception>
    public static (int Limit, int Offset) Page(ParseResult parseResult, Option<int> limit, Option<int> offset)
    {
        var count = parseResult.GetValue(limit);
        if (count is < 1 or > MaxLimit)
        {
            throw CliException.Usage($"--limit must be between 1 and {MaxLimit} (was {count})");
        }

        var skip = parseResult.GetValue(offset);
        return skip < 0 ? throw CliException.Usage($"--offset must not be negative (was {skip})") : (count, skip);
    }
}
