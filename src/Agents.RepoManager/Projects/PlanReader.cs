using System.Text.Json;
using System.Text.RegularExpressions;
using MultiAgent.Persistence;

namespace Agents.RepoManager.Projects;

/// <summary>
/// Reads the model's plan (<see cref="PlanPrompt.Schema"/>) and checks what a schema cannot say: ids that are slugs and
/// unique, a title per feature, dependencies that name features of the plan (not the feature itself), no cycle, and at
/// most the allowed number of features. Every problem is named, in words the model can act on (they go back to it once)
/// and that a person reads when the project fails.
/// </summary>
public static partial class PlanReader
{
    private const int MaxProblems = 8;
    private const int MaxTitle = 200;
    private const int MaxDescription = 8000;

    /// <summary>The features of a valid plan, in the model's order; or null and what is wrong.</summary>
    public static IReadOnlyList<PlannedFeature>? Read(string? text, int maxFeatures, out string error)
    {
        var problems = new List<string>();
        var features = Parse(StripFence(text ?? ""), maxFeatures, problems);
        error = string.Join("; ", problems.Take(MaxProblems)) + (problems.Count > MaxProblems ? $"; and {problems.Count - MaxProblems} more" : "");
        return problems.Count == 0 ? features : null;
    }

    private static List<PlannedFeature> Parse(string json, int maxFeatures, List<string> problems)
    {
        var features = new List<PlannedFeature>();
        if (json.Length == 0)
        {
            problems.Add("the reply was empty");
            return features;
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException ex)
        {
            problems.Add($"the reply is not JSON ({ex.Message})");
            return features;
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("features", out var list) || list.ValueKind != JsonValueKind.Array)
            {
                problems.Add("the reply must be a JSON object with a \"features\" array");
                return features;
            }

            if (list.GetArrayLength() == 0)
            {
                problems.Add("the plan has no features");
            }
            else if (list.GetArrayLength() > maxFeatures)
            {
                problems.Add($"the plan has {list.GetArrayLength()} features; at most {maxFeatures} are allowed: merge smaller ones");
            }

            var index = 0;
            foreach (var item in list.EnumerateArray())
            {
                index++;
                if (ReadFeature(item, index, problems) is { } feature)
                {
                    features.Add(feature);
                }
            }
        }

        CheckReferences(features, problems);
        return features;
    }

    private static PlannedFeature? ReadFeature(JsonElement item, int index, List<string> problems)
    {
        if (item.ValueKind != JsonValueKind.Object)
        {
            problems.Add($"feature {index} is not an object");
            return null;
        }

        var id = Text(item, "id");
        var name = id is { Length: > 0 } ? $"feature '{id}'" : $"feature {index}";
        var before = problems.Count;
        if (id is null || !Slug().IsMatch(id))
        {
            problems.Add($"{name}: \"id\" must be a short slug of lower-case letters, digits and '-' (e.g. \"user-login\")");
        }

        var title = Text(item, "title")?.Trim();
        if (string.IsNullOrEmpty(title) || title.Length > MaxTitle)
        {
            problems.Add($"{name}: \"title\" must be a non-empty string of at most {MaxTitle} characters");
        }

        var description = Text(item, "description") ?? "";
        if (description.Length > MaxDescription)
        {
            problems.Add($"{name}: \"description\" is longer than {MaxDescription} characters");
        }

        var criteria = Strings(item, "acceptanceCriteria", name, problems);
        var dependsOn = Strings(item, "dependsOn", name, problems);
        return problems.Count == before
            ? new PlannedFeature(id!, title!, description.Trim(), criteria, [.. dependsOn.Distinct(StringComparer.Ordinal)])
            : null;
    }

    private static void CheckReferences(List<PlannedFeature> features, List<string> problems)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var duplicate in features.Where(f => !ids.Add(f.Key)).Select(f => f.Key).Distinct())
        {
            problems.Add($"the id '{duplicate}' is used by more than one feature");
        }

        foreach (var feature in features)
        {
            foreach (var dependency in feature.DependsOn)
            {
                if (dependency == feature.Key)
                {
                    problems.Add($"feature '{feature.Key}' depends on itself");
                }
                else if (!ids.Contains(dependency))
                {
                    problems.Add($"feature '{feature.Key}' depends on '{dependency}', which is no feature of the plan");
                }
            }
        }

        if (FindCycle(features) is { } cycle)
        {
            problems.Add($"the dependencies form a cycle: {string.Join(" → ", cycle)}");
        }
    }

    /// <summary>One dependency cycle (its ids, the first repeated at the end), or null. Self-references are reported apart.</summary>
    public static IReadOnlyList<string>? FindCycle(IReadOnlyList<PlannedFeature> features)
    {
        var byKey = features.GroupBy(f => f.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var state = new Dictionary<string, int>(StringComparer.Ordinal); // 1: on the path, 2: done
        var path = new List<string>();
        foreach (var feature in features)
        {
            if (Visit(feature.Key) is { } cycle)
            {
                return cycle;
            }
        }

        return null;

        List<string>? Visit(string key)
        {
            if (state.GetValueOrDefault(key) == 2)
            {
                return null;
            }

            if (state.GetValueOrDefault(key) == 1)
            {
                return [.. path.Skip(path.IndexOf(key)), key];
            }

            state[key] = 1;
            path.Add(key);
            foreach (var dependency in byKey[key].DependsOn.Where(d => d != key && byKey.ContainsKey(d)))
            {
                if (Visit(dependency) is { } cycle)
                {
                    return cycle;
                }
            }

            path.RemoveAt(path.Count - 1);
            state[key] = 2;
            return null;
        }
    }

    private static string? Text(JsonElement item, string property) =>
        item.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static List<string> Strings(JsonElement item, string property, string name, List<string> problems)
    {
        if (!item.TryGetProperty(property, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        if (value.ValueKind != JsonValueKind.Array || value.EnumerateArray().Any(v => v.ValueKind != JsonValueKind.String))
        {
            problems.Add($"{name}: \"{property}\" must be an array of strings");
            return [];
        }

        return [.. value.EnumerateArray().Select(v => v.GetString()!.Trim()).Where(v => v.Length > 0)];
    }

    private static string StripFence(string text)
    {
        var trimmed = text.Trim();
        if (!trimmed.StartsWith("```", StringComparison.Ordinal))
        {
            return trimmed;
        }

        var firstLine = trimmed.IndexOf('\n');
        var end = trimmed.LastIndexOf("```", StringComparison.Ordinal);
        return firstLine > 0 && end > firstLine ? trimmed[(firstLine + 1)..end].Trim() : trimmed;
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,39}$")]
    private static partial Regex Slug();
}
