using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using MultiAgent.Resilience;
using MultiAgent.Secrets;
using Polly;
using Polly.Retry;

namespace MultiAgent.Notifications.Channels;

/// <summary>
/// Posts a JSON payload to a webhook through a Polly retry: 5xx, 408, 429 and network failures are retried with
/// back-off, a <c>Retry-After</c> (Slack and Discord send one with 429) is waited out when it is no longer than
/// <see cref="NotificationOptions.MaxRetryAfter"/>. The URL is a secret: it never appears in a message or log.
/// </summary>
public sealed class WebhookPoster(HttpClient http, NotificationOptions options, SecretRedactor redactor, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    private ResiliencePipeline<HttpResponseMessage>? _pipeline;

    // Built once, on first use: the options do not change while the process runs.
    private ResiliencePipeline<HttpResponseMessage> Pipeline => _pipeline ??= new ResiliencePipelineBuilder<HttpResponseMessage>()
        .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
        {
            MaxRetryAttempts = Math.Max(0, options.MaxRetries),
            ShouldHandle = args => ValueTask.FromResult(args.Outcome switch
            {
                { Exception: HttpRequestException or TaskCanceledException } => true,
                { Result: { } response } => IsTransient(response.StatusCode) && WaitOf(response) <= options.MaxRetryAfter,
                _ => false,
            }),
            DelayGenerator = new RetryAfterDelay { BaseDelay = options.RetryBaseDelay, RetryAfterMargin = RetryAfterDelay.TimerMargin }
                .Generator<HttpResponseMessage>(outcome => outcome.Result is { } response ? RetryAfterHeader.Of(response, _time.GetUtcNow()) : null),
            OnRetry = args =>
            {
                args.Outcome.Result?.Dispose();
                return ValueTask.CompletedTask;
            },
        })
        .AddTimeout(options.RequestTimeout)
        .Build();

    /// <summary>Posts <paramref name="payload"/> to <paramref name="url"/>.</summary>
    /// <exception cref="NotificationDeliveryException">Every attempt failed, or the webhook refused the message.</exception>
    public async Task PostAsync(string channel, string url, JsonObject payload, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            response = await Pipeline.ExecuteAsync(
                async ct =>
                {
                    using var content = new StringContent(payload.ToJsonString(), Encoding.UTF8, "application/json");
                    return await http.PostAsync(url, content, ct);
                },
                cancellationToken);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or Polly.Timeout.TimeoutRejectedException && !cancellationToken.IsCancellationRequested)
        {
            throw new NotificationDeliveryException($"{channel}: the webhook could not be reached: {redactor.Redact(ex.Message)}", retryable: true);
        }

        using (response)
        {
            if (response.IsSuccessStatusCode)
            {
                return;
            }

            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            var text = $"{channel}: the webhook answered {(int)response.StatusCode} {response.ReasonPhrase}: {Shorten(redactor.Redact(body) ?? "")}";
            throw new NotificationDeliveryException(text, retryable: IsTransient(response.StatusCode));
        }
    }

    private static bool IsTransient(HttpStatusCode status) =>
        status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests || (int)status >= 500;

    private TimeSpan WaitOf(HttpResponseMessage response) => RetryAfterHeader.Of(response, _time.GetUtcNow()) ?? TimeSpan.Zero;

    private static string Shorten(string text) => text.Length <= 300 ? text : text[..300] + "…";
}
