using System.Globalization;

namespace MultiAgent.Contracts;

/// <summary>
/// What a job's model calls may use in all: tokens (input + output) and estimated cost (by the models' prices, in their
/// currency). Either may be null: no cap of that kind.
/// </summary>
public sealed record JobBudget(long? Tokens = null, decimal? Cost = null)
{
    /// <summary>Whether it caps anything.</summary>
    public bool IsSet => Tokens is not null || Cost is not null;

    /// <summary>Whether every cap it sets is above zero (what a stored budget must be; a request may carry anything).</summary>
    public bool IsPositive => Tokens is null or > 0 && Cost is null or > 0;

    /// <summary>
    /// Why <paramref name="spent"/> has used the budget up (<c>budget exceeded: …</c>, naming the figures), or null while
    /// it has not. Usage without a cost (no prices) is never over a cost cap.
    /// </summary>
    /// <param name="owner">Whose budget the message names: "job" (a job's), or "project" (the same cap on a whole project).</param>
    public string? Exceeded(TokenUsage spent, string owner = "job")
    {
        ArgumentNullException.ThrowIfNull(spent);
        if (Tokens is { } tokens && spent.Total >= tokens)
        {
            return string.Create(CultureInfo.InvariantCulture, $"budget exceeded: the {owner} has used {spent.Total:N0} tokens of its budget of {tokens:N0}");
        }

        if (Cost is { } cost && spent.Cost is { } used && used >= cost)
        {
            return string.Create(CultureInfo.InvariantCulture, $"budget exceeded: the {owner} has cost about {used:0.####} of its budget of {cost:0.####}");
        }

        return null;
    }

    /// <summary>The share of a cap past which a job is warned about (a <see cref="JobEventTypes.BudgetWarning"/> event).</summary>
    public const decimal WarningShare = 0.8m;

    /// <summary>
    /// The warning when going from <paramref name="before"/> to <paramref name="after"/> crossed
    /// <see cref="WarningShare"/> of a cap without using it up (so it is given once, by the task that crosses it), or null.
    /// </summary>
    public string? CrossedWarning(TokenUsage before, TokenUsage after)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        if (Exceeded(after) is not null)
        {
            return null;
        }

        if (Tokens is { } tokens && before.Total < tokens * WarningShare && after.Total >= tokens * WarningShare)
        {
            return string.Create(CultureInfo.InvariantCulture, $"budget 80 % used: the job has used {after.Total:N0} tokens of its budget of {tokens:N0}");
        }

        if (Cost is { } cost && (before.Cost ?? 0) < cost * WarningShare && after.Cost is { } spent && spent >= cost * WarningShare)
        {
            return string.Create(CultureInfo.InvariantCulture, $"budget 80 % used: the job has cost about {spent:0.####} of its budget of {cost:0.####}");
        }

        return null;
    }

    /// <summary>Reads <c>tokens:N</c> and <c>cost:X</c> items (comma-separated, in any order), e.g. <c>tokens:200000,cost:2.5</c>.</summary>
    /// <exception cref="FormatException">An item is neither, or its number is not a positive one.</exception>
    public static JobBudget Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var budget = new JobBudget();
        foreach (var item in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var (kind, value) = item.IndexOf(':', StringComparison.Ordinal) is var colon and > 0
                ? (item[..colon].Trim().ToLowerInvariant(), item[(colon + 1)..].Trim())
                : ("", item);
            budget = kind switch
            {
                "tokens" when long.TryParse(value.Replace("_", "", StringComparison.Ordinal), NumberStyles.None, CultureInfo.InvariantCulture, out var tokens) && tokens > 0
                    => budget with { Tokens = tokens },
                "cost" when decimal.TryParse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var cost) && cost > 0
                    => budget with { Cost = cost },
                "tokens" or "cost" => throw new FormatException($"'{item}': the {kind} of a budget must be a positive number"),
                _ => throw new FormatException($"'{item}' is not a budget item: use tokens:N and/or cost:X (e.g. tokens:200000,cost:2.5)"),
            };
        }

        return budget.IsSet ? budget : throw new FormatException("a budget needs tokens:N and/or cost:X (e.g. tokens:200000,cost:2.5)");
    }
}
