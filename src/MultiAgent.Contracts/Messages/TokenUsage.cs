using System.Text.Json.Serialization;

namespace MultiAgent.Contracts;

/// <summary>LLM token consumption of one piece of work, and what it cost when model prices are configured.</summary>
/// <param name="InputTokens">Prompt (input) tokens.</param>
/// <param name="OutputTokens">Completion (output) tokens.</param>
/// <param name="Cost">
/// The estimated cost, by the prices per million tokens configured for the model that was used
/// (<c>MultiAgent:Llm:Prices</c>), in the prices' currency; null when no prices are configured.
/// </param>
public sealed record TokenUsage(long InputTokens = 0, long OutputTokens = 0, decimal? Cost = null)
{
    /// <summary>No tokens used.</summary>
    public static TokenUsage Zero { get; } = new();

    /// <summary>Input plus output tokens; computed, not serialized.</summary>
    [JsonIgnore]
    public long Total => InputTokens + OutputTokens;

    /// <summary>Adds two usages.</summary>
    public static TokenUsage operator +(TokenUsage left, TokenUsage right)
    {
        ArgumentNullException.ThrowIfNull(left);
        return left.Add(right);
    }

    /// <summary>
    /// Returns the sum of this usage and <paramref name="other"/>. The costs add up as far as they are known: the sum
    /// has a cost when either has one (work without prices counts as nothing), none when neither has.
    /// </summary>
    public TokenUsage Add(TokenUsage other)
    {
        ArgumentNullException.ThrowIfNull(other);
        var cost = Cost is null && other.Cost is null ? (decimal?)null : (Cost ?? 0) + (other.Cost ?? 0);
        return new TokenUsage(InputTokens + other.InputTokens, OutputTokens + other.OutputTokens, cost);
    }
}
