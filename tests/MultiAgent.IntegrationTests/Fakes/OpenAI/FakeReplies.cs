using System.Globalization;
using System.Text.Json;

namespace MultiAgent.IntegrationTests.Fakes.OpenAI;

/// <summary>One scripted answer of <see cref="FakeOpenAIServer"/>: a reply of the model or a fault.</summary>
public abstract record FakeReply
{
    /// <summary>How long the server waits before answering (it stops waiting when the client hangs up).</summary>
    public TimeSpan Delay { get; init; }

    /// <summary>This reply, sent after <paramref name="delay"/>.</summary>
    public FakeReply After(TimeSpan delay) => this with { Delay = delay };
}

/// <summary>A tool call in an assistant reply: <paramref name="Arguments"/> is the JSON text of the arguments.</summary>
public sealed record FakeToolCall(string Id, string Name, string Arguments);

/// <summary>Token counts reported with a reply.</summary>
public sealed record FakeUsage(int InputTokens, int OutputTokens);

/// <summary>An assistant message: text, tool calls, or both.</summary>
public sealed record ChatReply : FakeReply
{
    public string? Text { get; init; }

    public IReadOnlyList<FakeToolCall> ToolCalls { get; init; } = [];

    /// <summary>OpenAI's finish reason: <c>stop</c>, <c>tool_calls</c>, <c>length</c>; by default from the content.</summary>
    public string? FinishReason { get; init; }

    /// <summary>Usage to report; none when null.</summary>
    public FakeUsage? Usage { get; init; }

    public string EffectiveFinishReason => FinishReason ?? (ToolCalls.Count > 0 ? "tool_calls" : "stop");

    /// <summary>This reply, reporting the given token counts.</summary>
    public ChatReply WithUsage(int inputTokens, int outputTokens) => this with { Usage = new FakeUsage(inputTokens, outputTokens) };
}

/// <summary>An HTTP error (or any raw response): status, headers, body as sent.</summary>
public sealed record FaultReply(int Status, string Body, IReadOnlyDictionary<string, string> Headers) : FakeReply
{
    public string ContentType { get; init; } = "application/json";
}

/// <summary>Assistant replies: <c>Reply.Text("done")</c>, <c>Reply.ToolCall("read_file", new { path = "README.md" })</c>.</summary>
public static class Reply
{
    private static int _nextCallId;

    /// <summary>A text answer.</summary>
    public static ChatReply Text(string text) => new() { Text = text };

    /// <summary>One tool call (<c>finish_reason: tool_calls</c>); the arguments object is serialised to JSON.</summary>
    public static ChatReply ToolCall(string name, object arguments, string? id = null) => ToolCalls(Call(name, arguments, id));

    /// <summary>Several tool calls in one reply.</summary>
    public static ChatReply ToolCalls(params FakeToolCall[] calls) => new() { ToolCalls = calls };

    /// <summary>A tool call for <see cref="ToolCalls"/>.</summary>
    public static FakeToolCall Call(string name, object arguments, string? id = null) => new(
        id ?? "call_" + Interlocked.Increment(ref _nextCallId).ToString(CultureInfo.InvariantCulture),
        name,
        arguments as string ?? JsonSerializer.Serialize(arguments));
}

/// <summary>Faults, shaped like OpenAI's errors: <c>Fault.TooManyRequests(retryAfter: 1)</c>, <c>Fault.Unauthorized()</c>.</summary>
public static class Fault
{
    /// <summary>429, with <c>Retry-After: seconds</c> when given.</summary>
    public static FaultReply TooManyRequests(int? retryAfter = null) =>
        Error(429, "Rate limit reached for requests", "rate_limit_exceeded", "requests", RetryAfter(retryAfter));

    /// <summary>429 with <c>Retry-After</c> as an HTTP date.</summary>
    public static FaultReply TooManyRequestsUntil(DateTimeOffset until) =>
        Error(429, "Rate limit reached for requests", "rate_limit_exceeded", "requests",
            new Dictionary<string, string> { ["Retry-After"] = until.ToUniversalTime().ToString("r", CultureInfo.InvariantCulture) });

    /// <summary>503, with <c>Retry-After: seconds</c> when given.</summary>
    public static FaultReply ServiceUnavailable(int? retryAfter = null) =>
        Error(503, "The server is overloaded or not ready yet.", null, "server_error", RetryAfter(retryAfter));

    public static FaultReply InternalServerError() => Error(500, "The server had an error while processing your request.", null, "server_error");

    public static FaultReply BadGateway() => Error(502, "Bad gateway.", null, "server_error");

    public static FaultReply GatewayTimeout() => Error(504, "Gateway timeout.", null, "server_error");

    /// <summary>401 as OpenAI sends it for a wrong key.</summary>
    public static FaultReply Unauthorized() =>
        Error(401, "Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.",
            "invalid_api_key", "invalid_request_error");

    public static FaultReply Forbidden() => Error(403, "You are not allowed to use this model.", "model_not_allowed", "invalid_request_error");

    /// <summary>404 for a model that does not exist.</summary>
    public static FaultReply ModelNotFound(string model) =>
        Error(404, $"The model `{model}` does not exist or you do not have access to it.", "model_not_found", "invalid_request_error");

    /// <summary>400 <c>context_length_exceeded</c>, as OpenAI sends it.</summary>
    public static FaultReply ContextLengthExceeded() =>
        Error(400, "This model's maximum context length is 128000 tokens. However, your messages resulted in 131072 tokens. Please reduce the length of the messages.",
            "context_length_exceeded", "invalid_request_error");

    public static FaultReply BadRequest(string message) => Error(400, message, null, "invalid_request_error");

    /// <summary>Any status, body and headers.</summary>
    public static FaultReply Status(int status, string body = "", IReadOnlyDictionary<string, string>? headers = null) =>
        new(status, body, headers ?? new Dictionary<string, string>());

    /// <summary>200 with a body that is not valid JSON.</summary>
    public static FaultReply MalformedJson() =>
        new(200, """{"id":"chatcmpl-broken","object":"chat.completion","choices":[{"index":0,"message":""", new Dictionary<string, string>());

    /// <summary>No answer for <paramref name="duration"/> (5 minutes by default), then a text reply; for timeouts.</summary>
    public static FakeReply Hang(TimeSpan? duration = null) => Reply.Text("too late").After(duration ?? TimeSpan.FromMinutes(5));

    /// <summary>An OpenAI-shaped error body: <c>{"error":{"message":…,"type":…}}</c>.</summary>
    public static string ErrorBody(string message, string type) =>
        JsonSerializer.Serialize(new { error = new { message, type } });

    private static FaultReply Error(int status, string message, string? code, string type, IReadOnlyDictionary<string, string>? headers = null) =>
        new(status,
            JsonSerializer.Serialize(new { error = new { message, type, param = (string?)null, code } }),
            headers ?? new Dictionary<string, string>());

    private static Dictionary<string, string> RetryAfter(int? seconds) =>
        seconds is { } s ? new() { ["Retry-After"] = s.ToString(CultureInfo.InvariantCulture) } : [];
}
