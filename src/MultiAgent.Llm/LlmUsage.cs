using Microsoft.Extensions.AI;
using MultiAgent.Contracts;

namespace MultiAgent.Llm;

/// <summary>
/// Tokens a task's model calls used, added up as responses arrive, and what they cost by the configured price
/// table. Thread-safe; read it when the task ends (e.g. for <c>TaskResult</c>'s token usage).
/// </summary>
public sealed class LlmUsage(LlmPrices? prices = null)
{
    private readonly (decimal Input, decimal Output)? _prices = prices?.Both;
    private readonly Lock _lock = new();
    private TokenUsage _total = TokenUsage.Zero;
    private int _calls;

    /// <summary>Input and output tokens so far.</summary>
    public TokenUsage Total
    {
        get
        {
            lock (_lock)
            {
                return _total;
            }
        }
    }

    /// <summary>Model responses counted so far.</summary>
    public int Calls
    {
        get
        {
            lock (_lock)
            {
                return _calls;
            }
        }
    }

    /// <summary>
    /// The cost of <see cref="Total"/> by the price table (<c>Prices</c>: per million input and output tokens), or
    /// null when no prices are configured.
    /// </summary>
    public decimal? EstimatedCost => Priced(Total).Cost;

    /// <summary><see cref="Total"/> with its estimated cost (none without prices).</summary>
    public TokenUsage PricedTotal => Priced(Total);

    /// <summary><paramref name="usage"/> with its cost by the price table; unchanged when no prices are configured.</summary>
    public TokenUsage Priced(TokenUsage usage)
    {
        ArgumentNullException.ThrowIfNull(usage);
        return _prices is { } p ? usage with { Cost = CostOf(usage, p.Input, p.Output) } : usage;
    }

    /// <summary>Adds one response's usage (a response without usage counts as a call with no tokens).</summary>
    public void Add(UsageDetails? usage) =>
        Add(new TokenUsage(Math.Max(0, usage?.InputTokenCount ?? 0), Math.Max(0, usage?.OutputTokenCount ?? 0)));

    /// <summary>Adds one response's usage.</summary>
    public void Add(TokenUsage usage)
    {
        ArgumentNullException.ThrowIfNull(usage);
        lock (_lock)
        {
            _total += usage;
            _calls++;
        }
    }

    /// <summary>The cost of <paramref name="usage"/> at the given prices per million tokens.</summary>
    public static decimal CostOf(TokenUsage usage, decimal inputPerMillion, decimal outputPerMillion)
    {
        ArgumentNullException.ThrowIfNull(usage);
        return (usage.InputTokens * inputPerMillion + usage.OutputTokens * outputPerMillion) / 1_000_000m;
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"{Calls} calls, {Total.InputTokens} input + {Total.OutputTokens} output tokens" +
        (EstimatedCost is { } cost ? $", about {cost:0.####}" : "");
}
