using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.AI;
using MultiAgent.Secrets;

namespace MultiAgent.Llm;

/// <summary>The JSON shape of transcript entries: chat messages, contents, options and usage, compact and readable.</summary>
internal static class TranscriptJson
{
    /// <summary>Longer strings (a whole file read by a tool) are cut, after redaction, with a note of how much.</summary>
    public const int MaxTextLength = 50_000;

    private static readonly JsonSerializerOptions ValueOptions = new(AIJsonUtilities.DefaultOptions)
    {
        // Tool arguments and results may be any object (anonymous types included).
        TypeInfoResolver = JsonTypeInfoResolver.Combine(AIJsonUtilities.DefaultOptions.TypeInfoResolver, new DefaultJsonTypeInfoResolver()),
        WriteIndented = false,
    };

    public static JsonArray Messages(IEnumerable<ChatMessage> messages) => [.. messages.Select(Message)];

    public static JsonObject Message(ChatMessage message)
    {
        var json = new JsonObject { ["role"] = message.Role.Value };
        if (!string.IsNullOrEmpty(message.AuthorName))
        {
            json["authorName"] = message.AuthorName;
        }

        json["contents"] = new JsonArray([.. message.Contents.Select(Content)]);
        return json;
    }

    public static JsonNode Content(AIContent content) => content switch
    {
        TextContent text => new JsonObject { ["type"] = "text", ["text"] = text.Text },
        TextReasoningContent reasoning => new JsonObject { ["type"] = "reasoning", ["text"] = reasoning.Text },
        FunctionCallContent call => new JsonObject
        {
            ["type"] = "function_call",
            ["callId"] = call.CallId,
            ["name"] = call.Name,
            ["arguments"] = Arguments(call.Arguments),
        },
        FunctionResultContent result => new JsonObject
        {
            ["type"] = "function_result",
            ["callId"] = result.CallId,
            ["result"] = Value(result.Result),
            ["exception"] = result.Exception?.Message,
        },
        DataContent data => new JsonObject { ["type"] = "data", ["mediaType"] = data.MediaType, ["length"] = data.Data.Length },
        UriContent uri => new JsonObject { ["type"] = "uri", ["uri"] = uri.Uri.ToString(), ["mediaType"] = uri.MediaType },
        ErrorContent error => new JsonObject { ["type"] = "error", ["message"] = error.Message, ["code"] = error.ErrorCode },
        UsageContent usage => new JsonObject { ["type"] = "usage", ["usage"] = Usage(usage.Details) },
        _ => new JsonObject { ["type"] = content.GetType().Name },
    };

    public static JsonObject? Arguments(IEnumerable<KeyValuePair<string, object?>>? arguments)
    {
        if (arguments is null)
        {
            return null;
        }

        var json = new JsonObject();
        foreach (var (name, value) in arguments)
        {
            json[name] = Value(value);
        }

        return json;
    }

    /// <summary>Any value as JSON: JSON as it is, other objects serialised, anything unserialisable as its text.</summary>
    public static JsonNode? Value(object? value)
    {
        switch (value)
        {
            case null:
                return null;
            case string text:
                return JsonValue.Create(text);
            case JsonElement { ValueKind: JsonValueKind.Undefined }:
                return null;
            case JsonElement element:
                return JsonNode.Parse(element.GetRawText());
            case JsonNode node:
                return node.DeepClone();
        }

        try
        {
            return JsonNode.Parse(JsonSerializer.Serialize(value, value.GetType(), ValueOptions));
        }
        catch (Exception ex) when (ex is NotSupportedException or InvalidOperationException or JsonException or ArgumentException)
        {
            return JsonValue.Create(value.ToString());
        }
    }

    public static JsonObject Options(ChatOptions? options, bool streaming)
    {
        var json = new JsonObject
        {
            ["model"] = options?.ModelId,
            ["temperature"] = options?.Temperature,
            ["maxOutputTokens"] = options?.MaxOutputTokens,
        };
        if (options?.Tools is { Count: > 0 } tools)
        {
            json["tools"] = new JsonArray([.. tools.Select(t => JsonValue.Create(t.Name))]);
        }

        json["toolMode"] = options?.ToolMode switch
        {
            NoneChatToolMode => "none",
            AutoChatToolMode => "auto",
            RequiredChatToolMode { RequiredFunctionName: { } name } => "required:" + name,
            RequiredChatToolMode => "required",
            _ => null,
        };
        json["responseFormat"] = options?.ResponseFormat switch
        {
            ChatResponseFormatJson { Schema: not null } => "json_schema",
            ChatResponseFormatJson => "json",
            ChatResponseFormatText => "text",
            _ => null,
        };
        json["streaming"] = streaming;
        return json;
    }

    public static JsonObject? Usage(UsageDetails? usage) => usage is null ? null : new JsonObject
    {
        ["inputTokens"] = usage.InputTokenCount,
        ["outputTokens"] = usage.OutputTokenCount,
        ["totalTokens"] = usage.TotalTokenCount,
    };

    public static JsonObject Response(ChatResponse response) => new()
    {
        ["messages"] = Messages(response.Messages),
        ["finishReason"] = response.FinishReason?.Value,
        ["modelId"] = response.ModelId,
        ["responseId"] = response.ResponseId,
    };

    /// <summary>
    /// What is stored: every string value redacted, stripped of NUL (which jsonb refuses) and cut to
    /// <see cref="MaxTextLength"/>; nulls dropped from objects.
    /// </summary>
    public static JsonNode? Sanitize(JsonNode? node, SecretRedactor redactor) =>
        Transform(node, text =>
        {
            var clean = (redactor.Redact(text) ?? "").Replace('\0', '\uFFFD');
            return clean.Length <= MaxTextLength
                ? clean
                : string.Concat(clean.AsSpan(0, MaxTextLength), $"… [{clean.Length - MaxTextLength} more characters]");
        });

    /// <summary>A copy of <paramref name="node"/> with <paramref name="map"/> applied to every string value.</summary>
    public static JsonNode? Transform(JsonNode? node, Func<string, string> map)
    {
        switch (node)
        {
            case null:
                return null;
            case JsonObject obj:
                var copy = new JsonObject();
                foreach (var (name, value) in obj)
                {
                    if (value is not null)
                    {
                        copy[name] = Transform(value, map);
                    }
                }

                return copy;
            case JsonArray array:
                return new JsonArray([.. array.Select(item => Transform(item, map))]);
            case JsonValue value when value.GetValueKind() == JsonValueKind.String:
                return JsonValue.Create(map(value.GetValue<string>()));
            default:
                return node.DeepClone();
        }
    }
}
