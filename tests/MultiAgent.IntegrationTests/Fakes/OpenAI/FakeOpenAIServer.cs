using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MultiAgent.IntegrationTests.Fakes.OpenAI;

/// <summary>
/// A model provider on <c>http://127.0.0.1:&lt;random port&gt;</c>, scripted per test: each request takes the next
/// <see cref="FakeReply"/> from its <see cref="IReplySource"/> (by default one <see cref="ReplyScript"/>, filled with
/// <see cref="Enqueue"/>; the end-to-end tests route by scenario with a <see cref="ScenarioRouter"/>) and is recorded
/// (<see cref="Requests"/>: body, headers, arrival time). It speaks OpenAI's Chat Completions
/// (<c>POST /v1/chat/completions</c>, JSON or, with <c>stream: true</c>, server-sent events) and, for the same script,
/// Anthropic's Messages API (<c>POST /v1/messages</c>, not streamed). A request with nothing left in the script gets a
/// 500 saying so.
/// </summary>
/// <example>
/// <code>
/// await using var fake = await FakeOpenAIServer.StartAsync();
/// fake.Enqueue(Fault.TooManyRequests(retryAfter: 1), Reply.ToolCall("read_file", new { path = "README.md" }), Reply.Text("done"));
/// // configure MultiAgent:Llm:Endpoint = fake.Endpoint …
/// </code>
/// </example>
public sealed class FakeOpenAIServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly IReplySource _replies;
    private readonly Lock _lock = new();
    private readonly List<RecordedRequest> _requests = [];
    private readonly long _started = Stopwatch.GetTimestamp();
    private int _responseIds;

    private FakeOpenAIServer(WebApplication app, Uri root, IReplySource replies)
    {
        _app = app;
        Root = root;
        _replies = replies;
    }

    /// <summary><c>http://127.0.0.1:port/</c>: the base URL for Anthropic.</summary>
    public Uri Root { get; }

    /// <summary><c>http://127.0.0.1:port/v1</c>: the base URL for an OpenAI-compatible client.</summary>
    public string Endpoint => new Uri(Root, "v1").AbsoluteUri;

    /// <summary>Every request so far, in arrival order.</summary>
    public IReadOnlyList<RecordedRequest> Requests
    {
        get
        {
            lock (_lock)
            {
                return [.. _requests];
            }
        }
    }

    /// <summary>Scripted replies not used yet (of the default script).</summary>
    public int Remaining => Script.Remaining;

    /// <summary>The default script, when the server was started without a reply source of its own.</summary>
    public ReplyScript Script => _replies as ReplyScript
        ?? throw new InvalidOperationException($"This server takes its replies from a {_replies.GetType().Name}; script that.");

    /// <summary>Starts a server on a free loopback port, answering from <paramref name="replies"/> (default: a new <see cref="ReplyScript"/>).</summary>
    public static async Task<FakeOpenAIServer> StartAsync(IReplySource? replies = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        FakeOpenAIServer? server = null;
        app.Run(context => server!.HandleAsync(context));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        server = new FakeOpenAIServer(app, new Uri(address.TrimEnd('/') + "/"), replies ?? new ReplyScript());
        return server;
    }

    /// <summary>Adds replies to the end of the script, for the next requests in order.</summary>
    public FakeOpenAIServer Enqueue(params FakeReply[] replies)
    {
        Script.Enqueue(replies);
        return this;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var arrived = Stopwatch.GetElapsedTime(_started);
        var receivedAt = DateTimeOffset.UtcNow;
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync(context.RequestAborted);
        var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        var request = new RecordedRequest(context.Request.Method, context.Request.Path.Value ?? "", headers, body, receivedAt, arrived);
        lock (_lock)
        {
            _requests.Add(request);
        }

        var path = context.Request.Path.Value ?? "";
        var anthropic = path == "/v1/messages";
        if (!HttpMethods.IsPost(context.Request.Method) || (path != "/v1/chat/completions" && !anthropic))
        {
            await WriteAsync(context, 404, "application/json", Fault.ErrorBody($"fake: no route {path}", "invalid_request_error"));
            return;
        }

        FakeReply reply;
        try
        {
            reply = await _replies.NextAsync(request, context.RequestAborted);
            if (reply.Delay > TimeSpan.Zero)
            {
                await Task.Delay(reply.Delay, context.RequestAborted);
            }
        }
        catch (OperationCanceledException)
        {
            return; // The client gave up (its timeout) while the reply waited (a delay or a gate).
        }

        switch (reply)
        {
            case FaultReply fault:
                foreach (var (name, value) in fault.Headers)
                {
                    context.Response.Headers[name] = value;
                }

                await WriteAsync(context, fault.Status, fault.ContentType, fault.Body);
                break;
            case ChatReply chat when anthropic:
                if (request.Stream)
                {
                    await WriteAsync(context, 400, "application/json", """{"type":"error","error":{"type":"invalid_request_error","message":"fake: streaming is not scripted for /v1/messages"}}""");
                    break;
                }

                await WriteAsync(context, 200, "application/json", AnthropicMessage(chat, request).ToJsonString());
                break;
            case ChatReply chat when request.Stream:
                await WriteEventStreamAsync(context, chat, request);
                break;
            case ChatReply chat:
                await WriteAsync(context, 200, "application/json", Completion(chat, request).ToJsonString());
                break;
        }
    }

    private JsonObject Completion(ChatReply reply, RecordedRequest request)
    {
        var message = new JsonObject { ["role"] = "assistant", ["content"] = reply.Text };
        if (reply.ToolCalls.Count > 0)
        {
            message["tool_calls"] = new JsonArray([.. reply.ToolCalls.Select(call => (JsonNode)new JsonObject
            {
                ["id"] = call.Id,
                ["type"] = "function",
                ["function"] = new JsonObject { ["name"] = call.Name, ["arguments"] = call.Arguments },
            })]);
        }

        var completion = new JsonObject
        {
            ["id"] = NextId("chatcmpl-fake-"),
            ["object"] = "chat.completion",
            ["created"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            ["model"] = request.Model ?? "fake-model",
            ["choices"] = new JsonArray(new JsonObject
            {
                ["index"] = 0,
                ["message"] = message,
                ["finish_reason"] = reply.EffectiveFinishReason,
            }),
        };
        if (reply.Usage is { } usage)
        {
            completion["usage"] = OpenAIUsage(usage);
        }

        return completion;
    }

    private async Task WriteEventStreamAsync(HttpContext context, ChatReply reply, RecordedRequest request)
    {
        context.Response.StatusCode = 200;
        context.Response.ContentType = "text/event-stream";
        var id = NextId("chatcmpl-fake-");
        var created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var model = request.Model ?? "fake-model";

        JsonObject Chunk(JsonObject? delta, string? finishReason, FakeUsage? usage = null) => new()
        {
            ["id"] = id,
            ["object"] = "chat.completion.chunk",
            ["created"] = created,
            ["model"] = model,
            ["choices"] = delta is null ? new JsonArray() : new JsonArray(new JsonObject
            {
                ["index"] = 0,
                ["delta"] = delta,
                ["finish_reason"] = finishReason,
            }),
            ["usage"] = usage is null ? null : OpenAIUsage(usage),
        };

        var chunks = new List<JsonObject> { Chunk(new JsonObject { ["role"] = "assistant", ["content"] = "" }, null) };
        if (reply.Text is { } text)
        {
            // Two pieces, so that the client really assembles a stream.
            var half = text.Length / 2;
            chunks.Add(Chunk(new JsonObject { ["content"] = text[..half] }, null));
            chunks.Add(Chunk(new JsonObject { ["content"] = text[half..] }, null));
        }

        for (var i = 0; i < reply.ToolCalls.Count; i++)
        {
            var call = reply.ToolCalls[i];
            chunks.Add(Chunk(new JsonObject
            {
                ["tool_calls"] = new JsonArray(new JsonObject
                {
                    ["index"] = i,
                    ["id"] = call.Id,
                    ["type"] = "function",
                    ["function"] = new JsonObject { ["name"] = call.Name, ["arguments"] = call.Arguments },
                }),
            }, null));
        }

        chunks.Add(Chunk(new JsonObject(), reply.EffectiveFinishReason));
        if (reply.Usage is { } usage && request.IncludeUsage)
        {
            chunks.Add(Chunk(null, null, usage));
        }

        foreach (var chunk in chunks)
        {
            await context.Response.WriteAsync($"data: {chunk.ToJsonString()}\n\n", context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
        }

        await context.Response.WriteAsync("data: [DONE]\n\n", context.RequestAborted);
    }

    private JsonObject AnthropicMessage(ChatReply reply, RecordedRequest request)
    {
        var content = new JsonArray();
        if (reply.Text is { } text)
        {
            content.Add(new JsonObject { ["type"] = "text", ["text"] = text });
        }

        foreach (var call in reply.ToolCalls)
        {
            content.Add(new JsonObject { ["type"] = "tool_use", ["id"] = call.Id, ["name"] = call.Name, ["input"] = JsonNode.Parse(call.Arguments) });
        }

        return new JsonObject
        {
            ["id"] = NextId("msg_fake_"),
            ["type"] = "message",
            ["role"] = "assistant",
            ["model"] = request.Model ?? "fake-model",
            ["content"] = content,
            ["stop_reason"] = reply.EffectiveFinishReason switch { "tool_calls" => "tool_use", "length" => "max_tokens", _ => "end_turn" },
            ["stop_sequence"] = null,
            ["usage"] = new JsonObject
            {
                ["input_tokens"] = reply.Usage?.InputTokens ?? 0,
                ["output_tokens"] = reply.Usage?.OutputTokens ?? 0,
            },
        };
    }

    private static JsonObject OpenAIUsage(FakeUsage usage) => new()
    {
        ["prompt_tokens"] = usage.InputTokens,
        ["completion_tokens"] = usage.OutputTokens,
        ["total_tokens"] = usage.InputTokens + usage.OutputTokens,
    };

    private string NextId(string prefix) =>
        prefix + Interlocked.Increment(ref _responseIds).ToString(CultureInfo.InvariantCulture);

    private static async Task WriteAsync(HttpContext context, int status, string contentType, string body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = contentType;
        await context.Response.WriteAsync(body, context.RequestAborted);
    }
}

/// <summary>A request the fake received.</summary>
/// <param name="Method">HTTP method.</param>
/// <param name="Path">Path, e.g. <c>/v1/chat/completions</c>.</param>
/// <param name="Headers">Headers (names case-insensitive; repeated values joined by commas).</param>
/// <param name="Body">The body as sent.</param>
/// <param name="ReceivedAt">Wall-clock arrival time.</param>
/// <param name="Arrived">Arrival on a monotonic clock, since the server started: compare these for waits.</param>
public sealed record RecordedRequest(
    string Method, string Path, IReadOnlyDictionary<string, string> Headers, string Body, DateTimeOffset ReceivedAt, TimeSpan Arrived)
{
    /// <summary>The body as JSON (a copy of the parsed document).</summary>
    public JsonElement Json
    {
        get
        {
            using var document = JsonDocument.Parse(Body);
            return document.RootElement.Clone();
        }
    }

    /// <summary>A header's value, or null.</summary>
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;

    /// <summary>The <c>model</c> of the body.</summary>
    public string? Model => Property("model")?.GetString();

    /// <summary>Whether the client asked for a stream.</summary>
    public bool Stream => Property("stream") is { ValueKind: JsonValueKind.True };

    /// <summary>Whether a streaming client asked for a final usage chunk (<c>stream_options.include_usage</c>).</summary>
    public bool IncludeUsage =>
        Property("stream_options") is { ValueKind: JsonValueKind.Object } options
        && options.TryGetProperty("include_usage", out var include) && include.ValueKind == JsonValueKind.True;

    /// <summary>A top-level property of the JSON body, or null (also when the body is not JSON).</summary>
    public JsonElement? Property(string name)
    {
        try
        {
            return Json.ValueKind == JsonValueKind.Object && Json.TryGetProperty(name, out var value) ? value : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
