using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Agents.Coder.Tools;

/// <summary>A tool call that cannot be carried out; its message goes back to the model as the tool's result.</summary>
public sealed class ToolException(string message) : Exception(message);

/// <summary>
/// A tool the model can call: a name, a description and a JSON schema for its arguments, and the code that runs it on
/// the arguments as JSON. Failures the model can act on are <see cref="ToolException"/>s, reported back as text.
/// </summary>
public abstract class CodingTool : AIFunction
{
    private readonly JsonElement _schema;

    protected CodingTool(string name, string description, string schema)
    {
        Name = name;
        Description = description;
        _schema = JsonDocument.Parse(schema).RootElement.Clone();
        Required = _schema.TryGetProperty("required", out var required)
            ? [.. required.EnumerateArray().Select(r => r.GetString()!)]
            : [];
    }

    public override string Name { get; }

    public override string Description { get; }

    public override JsonElement JsonSchema => _schema;

    /// <summary>The argument names the schema requires.</summary>
    public IReadOnlyList<string> Required { get; }

    /// <summary>Runs the tool; the text is what the model sees.</summary>
    public async Task<string> RunAsync(JsonElement arguments, CancellationToken cancellationToken)
    {
        if (arguments.ValueKind != JsonValueKind.Object)
        {
            throw new ToolException($"the arguments of {Name} must be a JSON object");
        }

        var missing = Required.Where(r => !arguments.TryGetProperty(r, out var v) || v.ValueKind == JsonValueKind.Null).ToList();
        if (missing.Count > 0)
        {
            throw new ToolException($"{Name} needs the argument(s) {string.Join(", ", missing)}");
        }

        return await RunCoreAsync(new ToolArguments(Name, arguments), cancellationToken);
    }

    protected abstract Task<string> RunCoreAsync(ToolArguments arguments, CancellationToken cancellationToken);

    protected override async ValueTask<object?> InvokeCoreAsync(AIFunctionArguments arguments, CancellationToken cancellationToken)
    {
        var json = JsonSerializer.SerializeToElement(
            arguments.ToDictionary(a => a.Key, a => a.Value), AIJsonUtilities.DefaultOptions);
        try
        {
            return await RunAsync(json, cancellationToken);
        }
        catch (ToolException ex)
        {
            return "error: " + ex.Message;
        }
    }
}

/// <summary>Typed access to a tool call's arguments; wrong types are <see cref="ToolException"/>s.</summary>
public readonly struct ToolArguments(string tool, JsonElement json)
{
    public JsonElement Json => json;

    public string? String(string name) => TryGet(name, out var value)
        ? value.ValueKind == JsonValueKind.String ? value.GetString() : throw Wrong(name, "a string")
        : null;

    public string RequiredString(string name) => String(name) ?? throw new ToolException($"{tool} needs the argument {name}");

    public int? Int(string name)
    {
        if (!TryGet(name, out var value))
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number))
        {
            return number;
        }

        if (value.ValueKind == JsonValueKind.String && int.TryParse(value.GetString(), System.Globalization.CultureInfo.InvariantCulture, out number))
        {
            return number;
        }

        throw Wrong(name, "an integer");
    }

    public bool? Bool(string name)
    {
        if (!TryGet(name, out var value))
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.String when bool.TryParse(value.GetString(), out var b) => b,
            _ => throw Wrong(name, "true or false"),
        };
    }

    private bool TryGet(string name, out JsonElement value) =>
        json.TryGetProperty(name, out value) && value.ValueKind != JsonValueKind.Null;

    private ToolException Wrong(string name, string what) => new($"the argument {name} of {tool} must be {what}");
}
