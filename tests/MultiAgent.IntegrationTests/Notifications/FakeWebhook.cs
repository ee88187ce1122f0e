using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace MultiAgent.IntegrationTests.Notifications;

/// <summary>
/// A Slack- or Discord-like webhook on 127.0.0.1: records every JSON body posted to <see cref="Url"/> and answers 200,
/// or the statuses queued with <see cref="Fail"/> first (with a Retry-After when given).
/// </summary>
public sealed class FakeWebhook : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<(int Status, int? RetryAfter)> _faults = new();
    private readonly ConcurrentQueue<JsonObject> _received = new();
    private int _attempts;

    private FakeWebhook(WebApplication app) => _app = app;

    /// <summary>The webhook's URL, with a secret-looking path as real ones have.</summary>
    public string Url { get; private set; } = "";

    /// <summary>The bodies taken (answered 2xx), in order.</summary>
    public IReadOnlyList<JsonObject> Received => [.. _received];

    /// <summary>Every post, taken or not.</summary>
    public int Attempts => Volatile.Read(ref _attempts);

    /// <summary>Set while the webhook is "down": every post gets 503.</summary>
    public bool Down { get; set; }

    public static async Task<FakeWebhook> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var fake = new FakeWebhook(app);
        app.MapPost("/services/T000/B000/{token}", async (HttpContext context) =>
        {
            Interlocked.Increment(ref fake._attempts);
            if (fake.Down)
            {
                return Results.StatusCode(503);
            }

            if (fake._faults.TryDequeue(out var fault))
            {
                if (fault.RetryAfter is { } seconds)
                {
                    context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                }

                return Results.Text("""{"message":"slow down"}""", "application/json", statusCode: fault.Status);
            }

            var body = await JsonNode.ParseAsync(context.Request.Body);
            fake._received.Enqueue(body!.AsObject());
            return Results.Text("ok");
        });
        await app.StartAsync();
        fake.Url = app.Urls.Single() + "/services/T000/B000/XoXoSecretWebhookToken123";
        return fake;
    }

    /// <summary>The next <paramref name="times"/> posts answer <paramref name="status"/>.</summary>
    public void Fail(int status, int times = 1, int? retryAfterSeconds = null)
    {
        for (var i = 0; i < times; i++)
        {
            _faults.Enqueue((status, retryAfterSeconds));
        }
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
