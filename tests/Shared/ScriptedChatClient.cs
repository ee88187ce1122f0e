using System.Text.Json;
using Microsoft.Extensions.AI;

namespace MultiAgent.Testing;

/// <summary>
/// An <see cref="IChatClient"/> that plays a script: each model call takes the next step (a response, or an exception
/// to throw). It records what it was sent, so tests can read the tool results the session returned.
/// </summary>
internal sealed class ScriptedChatClient : IChatClient
{
    private readonly Queue<Func<IReadOnlyList<ChatMessage>, ChatResponse>> _steps = new();
    private int _callIds;

    /// <summary>The messages of each call, as sent.</summary>
    public List<List<ChatMessage>> Calls { get; } = [];

    /// <summary>Usage each response reports.</summary>
    public UsageDetails Usage { get; set; } = new() { InputTokenCount = 100, OutputTokenCount = 10, TotalTokenCount = 110 };

    /// <summary>When the script runs out: a step that keeps calling the given tool, or an error.</summary>
    public Func<IReadOnlyList<ChatMessage>, ChatResponse>? Forever { get; set; }

    public ScriptedChatClient Call(string tool, object? arguments = null)
    {
        _steps.Enqueue(_ => Respond(ToolCall(tool, arguments)));
        return this;
    }

    /// <summary>A call whose arguments are the raw text <paramref name="json"/> (parsed as a real client would).</summary>
    public ScriptedChatClient CallWithRawArguments(string tool, string json)
    {
        _steps.Enqueue(_ => Respond(FunctionCallContent.CreateFromParsedArguments(
            json, NextId(), tool, text => JsonSerializer.Deserialize<Dictionary<string, object?>>(text, AIJsonUtilities.DefaultOptions))));
        return this;
    }

    public ScriptedChatClient Text(string text)
    {
        _steps.Enqueue(_ => new ChatResponse(new ChatMessage(ChatRole.Assistant, text)) { Usage = Usage });
        return this;
    }

    public ScriptedChatClient Throw(Exception exception)
    {
        _steps.Enqueue(_ => throw exception);
        return this;
    }

    public FunctionCallContent ToolCall(string tool, object? arguments = null)
    {
        var dictionary = arguments is null
            ? new Dictionary<string, object?>()
            : JsonSerializer.Deserialize<Dictionary<string, object?>>(JsonSerializer.Serialize(arguments, AIJsonUtilities.DefaultOptions), AIJsonUtilities.DefaultOptions)!;
        return new FunctionCallContent(NextId(), tool, dictionary);
    }

    public ChatResponse Respond(params AIContent[] contents) =>
        new(new ChatMessage(ChatRole.Assistant, [.. contents])) { Usage = Usage };

    /// <summary>The text of the result the session sent back for the n-th tool call (0-based, in order).</summary>
    public string ToolResult(int index) =>
        Calls.Last().SelectMany(m => m.Contents).OfType<FunctionResultContent>().ElementAt(index).Result?.ToString() ?? "";

    /// <summary>Every tool result the session sent back, in order.</summary>
    public IReadOnlyList<string> ToolResults() =>
        [.. Calls.Last().SelectMany(m => m.Contents).OfType<FunctionResultContent>().Select(r => r.Result?.ToString() ?? "")];

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var sent = messages.ToList();
        Calls.Add(sent);
        var step = _steps.Count > 0 ? _steps.Dequeue() : Forever ?? throw new InvalidOperationException("the script ran out");
        return Task.FromResult(step(sent));
    }

    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException();

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose()
    {
    }

    private string NextId() => "call-" + Interlocked.Increment(ref _callIds);
}
