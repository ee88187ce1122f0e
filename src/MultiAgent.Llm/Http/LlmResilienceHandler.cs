using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using MultiAgent.Resilience;
using MultiAgent.Secrets;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace MultiAgent.Llm.Http;

/// <summary>
/// The HTTP pipeline under every provider client, a Polly <see cref="ResiliencePipeline{T}"/>: a retry strategy (408,
/// 429, 5xx but 501/505, timeouts and connection failures; exponential back-off with jitter, or exactly as long as
/// the provider's <c>Retry-After</c>, seconds or a date, or OpenAI's <c>retry-after-ms</c>, says, through the shared
/// <see cref="RetryAfterDelay"/>) around a timeout per attempt (<c>RequestTimeout</c>, covering the whole body of a
/// non-streamed response). A <c>Retry-After</c> beyond <c>MaxRetryAfter</c> is not waited out. 400, 401, 403, 404
/// and a request exceeding the context are never retried. The final failure is thrown as <see cref="LlmHttpException"/>.
/// </summary>
public sealed partial class LlmResilienceHandler : DelegatingHandler
{
    /// <summary>Longest back-off between two attempts when the provider does not say how long to wait.</summary>
    public static readonly TimeSpan MaxBackoff = RetryAfterDelay.DefaultMaxBackoff;

    /// <summary>The provider's host, for the retry log line.</summary>
    private static readonly ResiliencePropertyKey<string> HostKey = new("MultiAgent.Llm.Host");

    private readonly LlmOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly bool _removeAuthorization;
    private readonly SecretRedactor? _redactor;
    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;

    /// <param name="options">Timeout and retry settings.</param>
    /// <param name="innerHandler">The handler that sends (e.g. a SocketsHttpHandler).</param>
    /// <param name="logger">Where retries are logged (host, status, attempt, delay; never headers or bodies).</param>
    /// <param name="timeProvider">The clock for timeouts and back-off delays.</param>
    /// <param name="redactor">Masks secrets in the provider's error messages before they go into an exception.</param>
    public LlmResilienceHandler(
        LlmOptions options, HttpMessageHandler innerHandler, ILogger logger, TimeProvider? timeProvider = null, SecretRedactor? redactor = null)
        : base(innerHandler)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        _options = options;
        _logger = logger;
        _time = timeProvider ?? TimeProvider.System;
        _redactor = redactor;
        // A self-hosted endpoint without a key gets no Authorization header at all, not the SDK's placeholder.
        _removeAuthorization = !options.HasApiKey;
        _pipeline = BuildPipeline();
    }

    /// <inheritdoc />
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (_removeAuthorization)
        {
            request.Headers.Authorization = null;
        }

        if (request.Content is not null)
        {
            // Sent again on a retry: serialised once, into memory.
            await request.Content.LoadIntoBufferAsync(cancellationToken).ConfigureAwait(false);
        }

        var host = request.RequestUri?.Authority ?? "the model provider";
        var attempts = 0;
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(HostKey, host);
        HttpResponseMessage response;
        try
        {
            response = await _pipeline.ExecuteAsync(
                attempt =>
                {
                    attempts++;
                    return SendOnceAsync(request, attempt.CancellationToken);
                },
                context).ConfigureAwait(false);
        }
        catch (TimeoutRejectedException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw Final(new Failure(LlmHttpFailure.Timeout, Error: ex.InnerException ?? ex), host, attempts);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            throw Final(new Failure(LlmHttpFailure.Connection, Error: ex), host, attempts);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }

        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        Failure failure;
        using (response)
        {
            // Already in memory (SendOnceAsync), read within the attempt's timeout.
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            var (code, message) = ProviderError(body);
            failure = new Failure(
                Classify(response.StatusCode, code, message, body),
                response.StatusCode,
                RetryAfterHeader.Of(response, _time.GetUtcNow()),
                code,
                _redactor?.Redact(message) ?? message);
        }

        if (IsTransient(failure.Kind) && failure.RetryAfter > _options.MaxRetryAfter && attempts <= _options.MaxRetries)
        {
            // Not worth holding the agent: the task is redelivered after the wait instead.
            LogRetryAfterTooLong(host, failure.RetryAfter.Value, _options.MaxRetryAfter);
        }

        throw Final(failure, host, attempts);
    }

    /// <summary>
    /// Retries (when <c>MaxRetries</c> allows any) around a timeout per attempt. The timeout comes from a generator
    /// because the strategy's own option accepts only 10 ms to a day, narrower than <c>RequestTimeout</c> may be.
    /// </summary>
    private ResiliencePipeline<HttpResponseMessage> BuildPipeline()
    {
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = _time };
        if (_options.MaxRetries > 0)
        {
            var delay = new RetryAfterDelay
            {
                BaseDelay = _options.RetryBaseDelay,
                Jitter = BackoffJitter.Equal,
                RetryAfterJitter = 0.1,
                RetryAfterMargin = RetryAfterDelay.TimerMargin,
            };
            builder.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = _options.MaxRetries,
                ShouldHandle = args => ValueTask.FromResult(ShouldRetry(args.Outcome)),
                DelayGenerator = delay.Generator<HttpResponseMessage>(RetryAfterOf),
                OnRetry = args =>
                {
                    LogRetrying(
                        args.Context.Properties.GetValue(HostKey, "the model provider"),
                        Describe(args.Outcome),
                        args.AttemptNumber + 1,
                        _options.MaxRetries + 1,
                        args.RetryDelay);
                    return default;
                },
            });
        }

        builder.AddTimeout(new TimeoutStrategyOptions { TimeoutGenerator = _ => ValueTask.FromResult(_options.RequestTimeout) });
        return builder.Build();
    }

    /// <summary>
    /// What is retried: timeouts, connection failures, 408, 429 and 5xx but 501/505; not when the provider asks to wait
    /// longer than <c>MaxRetryAfter</c>.
    /// </summary>
    private bool ShouldRetry(Outcome<HttpResponseMessage> outcome) => outcome switch
    {
        { Exception: TimeoutRejectedException or HttpRequestException or IOException } => true,
        { Result: { IsSuccessStatusCode: false } response } =>
            IsTransient(Classify(response.StatusCode, null, null, null)) && !(RetryAfterOf(outcome) > _options.MaxRetryAfter),
        _ => false,
    };

    private TimeSpan? RetryAfterOf(Outcome<HttpResponseMessage> outcome) =>
        outcome.Result is { IsSuccessStatusCode: false } response ? RetryAfterHeader.Of(response, _time.GetUtcNow()) : null;

    private static bool IsTransient(LlmHttpFailure failure) =>
        failure is LlmHttpFailure.RateLimited or LlmHttpFailure.ServerError or LlmHttpFailure.Timeout or LlmHttpFailure.Connection;

    /// <summary>One attempt: the response, its body read into memory (unless it is an event stream being streamed).</summary>
    private async ValueTask<HttpResponseMessage> SendOnceAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        try
        {
            if (!response.IsSuccessStatusCode || !IsEventStream(response))
            {
                // The whole body within the timeout; a streamed (SSE) response is read by the caller as it comes.
                await response.Content.LoadIntoBufferAsync(cancellationToken).ConfigureAwait(false);
            }

            return response;
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    private LlmHttpException Final(Failure failure, string host, int attempts)
    {
        var tries = attempts == 1 ? "1 attempt" : $"{attempts} attempts";
        var what = failure.Kind switch
        {
            LlmHttpFailure.Timeout => FormattableString.Invariant($"no answer from {host} within {_options.RequestTimeout.TotalSeconds:0.###}s"),
            LlmHttpFailure.Connection => $"{host} could not be reached: {failure.Error?.Message}",
            _ => FormattableString.Invariant($"HTTP {(int)failure.Status!.Value} from {host}") + (failure.ProviderMessage is { } m ? $": {m}" : ""),
        };
        return new LlmHttpException(
            failure.Kind,
            string.Create(CultureInfo.InvariantCulture, $"{what} ({tries})"),
            failure.Status,
            failure.RetryAfter,
            attempts,
            failure.ProviderCode,
            failure.ProviderMessage,
            failure.Error);
    }

    /// <summary>Sorts a failed response by status and, for 400/413/422, by what the provider said.</summary>
    internal static LlmHttpFailure Classify(HttpStatusCode status, string? code, string? message, string? body)
    {
        var value = (int)status;
        if (value == 429)
        {
            return LlmHttpFailure.RateLimited;
        }

        if (value == 408 || (value >= 500 && value != 501 && value != 505))
        {
            return LlmHttpFailure.ServerError;
        }

        if (value is 401 or 403)
        {
            return LlmHttpFailure.Unauthorized;
        }

        if (value == 413 || (value is 400 or 422 && IsContextLength(code, message ?? body)))
        {
            return LlmHttpFailure.ContextLengthExceeded;
        }

        return value == 404 ? LlmHttpFailure.NotFound : LlmHttpFailure.BadRequest;
    }

    /// <summary>How OpenAI, Azure, Anthropic, Ollama and vLLM say that a prompt does not fit.</summary>
    internal static bool IsContextLength(string? code, string? message)
    {
        if (code is not null && (code.Contains("context_length", StringComparison.OrdinalIgnoreCase)
            || code.Contains("request_too_large", StringComparison.OrdinalIgnoreCase)))
        {
            return true;
        }

        if (message is null)
        {
            return false;
        }

        string[] phrases =
        [
            "context_length_exceeded", "maximum context length", "context length", "context window", "context limit",
            "prompt is too long", "too many tokens", "input is too long", "exceeds the context",
        ];
        return phrases.Any(p => message.Contains(p, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>
    /// The error code and message in an error body: <c>{"error":{"message","code","type"}}</c> (OpenAI, Azure, vLLM,
    /// Anthropic), <c>{"error":"…"}</c> (Ollama) or <c>{"message":"…"}</c>; else the start of the body as text.
    /// </summary>
    internal static (string? Code, string? Message) ProviderError(string? body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return (null, null);
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                if (root.TryGetProperty("error", out var error))
                {
                    if (error.ValueKind == JsonValueKind.String)
                    {
                        return (null, error.GetString());
                    }

                    if (error.ValueKind == JsonValueKind.Object)
                    {
                        var code = Text(error, "code") ?? Text(error, "type");
                        return (code, Text(error, "message"));
                    }
                }

                if (Text(root, "message") is { } message)
                {
                    return (Text(root, "code") ?? Text(root, "type"), message);
                }
            }
        }
        catch (JsonException)
        {
            // Not JSON: a proxy's HTML page, plain text.
        }

        var trimmed = body.Trim();
        return (null, trimmed.Length <= 300 ? trimmed : trimmed[..300] + "…");
    }

    private static string? Text(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) ? value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number => value.GetRawText(),
            _ => null,
        } : null;

    private static bool IsEventStream(HttpResponseMessage response) =>
        response.Content.Headers.ContentType is MediaTypeHeaderValue { MediaType: "text/event-stream" };

    private static string Describe(Outcome<HttpResponseMessage> outcome) => outcome switch
    {
        { Exception: TimeoutRejectedException } => "timeout",
        { Exception: not null } => "connection failure",
        _ => FormattableString.Invariant($"HTTP {(int)outcome.Result!.StatusCode}"),
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "Model call to {Host} failed ({Failure}, attempt {Attempt} of {MaxAttempts}); retrying in {Delay}")]
    private partial void LogRetrying(string host, string failure, int attempt, int maxAttempts, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Model provider {Host} asked to wait {RetryAfter}, longer than MaxRetryAfter {MaxRetryAfter}; giving the task back")]
    private partial void LogRetryAfterTooLong(string host, TimeSpan retryAfter, TimeSpan maxRetryAfter);

    private readonly record struct Failure(
        LlmHttpFailure Kind,
        HttpStatusCode? Status = null,
        TimeSpan? RetryAfter = null,
        string? ProviderCode = null,
        string? ProviderMessage = null,
        Exception? Error = null);
}
