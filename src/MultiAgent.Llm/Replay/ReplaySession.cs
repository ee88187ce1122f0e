using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using MultiAgent.Contracts;

namespace MultiAgent.Llm;

/// <summary>
/// A recorded session: each agent's model answers in the order they were given, in the transcript's shape (a
/// <c>model_call</c> entry's <c>response</c> and <c>usage</c>, see <see cref="TranscriptJson"/>), so that a real job's
/// stored transcript can be played back as well as the demo's hand-written one:
/// <code>{"description": "…", "answers": {"coder": [{"messages": [{"role": "assistant", "contents": [{"type":
/// "function_call", "callId": "c1", "name": "write_file", "arguments": {…}}]}], "finishReason": "tool_calls",
/// "usage": {"inputTokens": 900, "outputTokens": 120}}, …], "reviewer": […]}}</code>
/// </summary>
public sealed class ReplaySession
{
    private readonly Dictionary<AgentType, IReadOnlyList<ChatResponse>> _answers;

    private ReplaySession(string? description, Dictionary<AgentType, IReadOnlyList<ChatResponse>> answers)
    {
        Description = description;
        _answers = answers;
    }

    public string? Description { get; }

    /// <summary>The agent's recorded answers, in order (none when the session has none for it).</summary>
    public IReadOnlyList<ChatResponse> AnswersFor(AgentType agent) => _answers.GetValueOrDefault(agent) ?? [];

    /// <exception cref="LlmConfigurationException">The file cannot be read or is not a recorded session.</exception>
    public static ReplaySession Load(string path)
    {
        try
        {
            return Parse(File.ReadAllText(path));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new LlmConfigurationException($"The replay file '{path}' cannot be read: {ex.Message}");
        }
        catch (LlmConfigurationException ex)
        {
            throw new LlmConfigurationException($"The replay file '{path}' is not a recorded session: {ex.Message}");
        }
    }

    /// <exception cref="LlmConfigurationException">The text is not a recorded session.</exception>
    public static ReplaySession Parse(string json)
    {
        JsonObject root;
        try
        {
            root = JsonNode.Parse(json) as JsonObject ?? throw new LlmConfigurationException("it is not a JSON object");
        }
        catch (JsonException ex)
        {
            throw new LlmConfigurationException($"it is not JSON ({ex.Message})");
        }

        var answers = new Dictionary<AgentType, IReadOnlyList<ChatResponse>>();
        if (root["answers"] is not JsonObject byAgent)
        {
            throw new LlmConfigurationException("it has no \"answers\" object");
        }

        foreach (var (name, list) in byAgent)
        {
            var agent = AgentCatalogue.All.FirstOrDefault(a => a.Name == name)?.Type
                ?? throw new LlmConfigurationException($"\"{name}\" is not an agent (coder, reviewer, repomanager)");
            answers[agent] = list is JsonArray array
                ? [.. array.Select((answer, i) => Response(answer as JsonObject ?? throw new LlmConfigurationException($"answer {i + 1} of {name} is not an object")))]
                : throw new LlmConfigurationException($"the answers of {name} are not a list");
        }

        return new ReplaySession(root["description"]?.GetValue<string>(), answers);
    }

    private static ChatResponse Response(JsonObject answer)
    {
        var messages = (answer["messages"] as JsonArray ?? []).OfType<JsonObject>().Select(Message).ToList();
        var response = new ChatResponse(messages)
        {
            FinishReason = answer["finishReason"]?.GetValue<string>() is { } reason ? new ChatFinishReason(reason) : null,
            ModelId = answer["modelId"]?.GetValue<string>() ?? "replay",
        };
        if (answer["usage"] is JsonObject usage)
        {
            response.Usage = new UsageDetails
            {
                InputTokenCount = usage["inputTokens"]?.GetValue<long>(),
                OutputTokenCount = usage["outputTokens"]?.GetValue<long>(),
                TotalTokenCount = usage["totalTokens"]?.GetValue<long>()
                    ?? (usage["inputTokens"]?.GetValue<long>() ?? 0) + (usage["outputTokens"]?.GetValue<long>() ?? 0),
            };
        }

        return response;
    }

    private static ChatMessage Message(JsonObject message)
    {
        var contents = new List<AIContent>();
        foreach (var content in (message["contents"] as JsonArray ?? []).OfType<JsonObject>())
        {
            switch (content["type"]?.GetValue<string>())
            {
                case "text":
                    contents.Add(new TextContent(content["text"]?.GetValue<string>()));
                    break;
                case "function_call":
                    var arguments = (content["arguments"] as JsonObject ?? [])
                        .ToDictionary(a => a.Key, a => (object?)JsonSerializer.SerializeToElement(a.Value));
                    contents.Add(new FunctionCallContent(
                        content["callId"]?.GetValue<string>() ?? "call", content["name"]?.GetValue<string>() ?? "", arguments));
                    break;
            }
        }

        return new ChatMessage(new ChatRole(message["role"]?.GetValue<string>() ?? "assistant"), contents);
    }
}
