using System.Text.Json.Serialization;

namespace MultiAgent.Contracts;

/// <summary>LLM token consumption of one piece of work.</summary>
/// <param name="InputTokens">Prompt (input) tokens.</param>
/// <param name="OutputTokens">Completion (output) tokens.</param>
public sealed record TokenUsage(long InputTokens = 0, long OutputTokens = 0)
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

    /// <summary>Returns the sum of this usage and <paramref name="other"/>.</summary>
    public TokenUsage Add(TokenUsage other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return new TokenUsage(InputTokens + other.InputTokens, OutputTokens + other.OutputTokens);
    }
}
