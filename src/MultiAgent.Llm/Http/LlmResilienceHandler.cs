using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using MultiAgent.Secrets;

namespace MultiAgent.Llm.Http;

/// <summary>
/// The HTTP pipeline under every provider client: a timeout per attempt (<c>RequestTimeout</c>, covering the
/// whole body of a non-streamed response), and retries with exponential back-off and jitter for 408, 429, 5xx,
/// timeouts and connection failures, waiting exactly as long as the provider's <c>Retry-After</c> (seconds or a
/// date; or OpenAI's <c>retry-after-ms</c>) says, up to <c>MaxRetryAfter</c>. 400, 401, 403, 404 and a request
/// exceeding the context are never retried. The final failure is thrown as <see cref="LlmHttpException"/>.
/// </summary>
public sealed partial class LlmResilienceHandler : DelegatingHandler
{
    /// <summary>Longest back-off between two attempts when the provider does not say how long to wait.</summary>
    public static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    private readonly LlmOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly bool _removeAuthorization;
    private readonly SecretRedactor? _redactor;

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
        for (var attempt = 1; ; attempt++)
        {
            var outcome = await SendOnceAsync(request, cancellationToken).ConfigureAwait(false);
            if (outcome.Response is { } response)
            {
                return response;
            }

            var failure = outcome.Failure!.Value;
            var transient = failure is LlmHttpFailure.RateLimited or LlmHttpFailure.ServerError or LlmHttpFailure.Timeout or LlmHttpFailure.Connection;
            if (!transient || attempt > _options.MaxRetries)
            {
                throw Final(outcome, host, attempt);
            }

            if (outcome.RetryAfter is { } retryAfter && retryAfter > _options.MaxRetryAfter)
            {
                // Not worth holding the agent: the task is redelivered after the wait instead.
                LogRetryAfterTooLong(host, retryAfter, _options.MaxRetryAfter);
                throw Final(outcome, host, attempt);
            }

            var delay = DelayBefore(attempt, outcome.RetryAfter);
            LogRetrying(host, Describe(outcome), attempt, _options.MaxRetries + 1, delay);
            await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The wait before the attempt after <paramref name="attempt"/>: the provider's Retry-After (plus up to 10%
    /// jitter), else <c>RetryBaseDelay · 2^(attempt-1)</c> capped at <see cref="MaxBackoff"/>, of which a random
    /// half is taken off ("equal jitter") so that many clients do not retry in step.
    /// </summary>
    internal TimeSpan DelayBefore(int attempt, TimeSpan? retryAfter)
    {
        if (retryAfter is { } wait)
        {
            return wait + wait * (Random.Shared.NextDouble() * 0.1);
        }

        var exponential = _options.RetryBaseDelay * Math.Pow(2, Math.Min(attempt - 1, 16));
        var capped = exponential < MaxBackoff ? exponential : MaxBackoff;
        return capped / 2 + capped / 2 * Random.Shared.NextDouble();
    }

    private async Task<Outcome> SendOnceAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(_options.RequestTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        HttpResponseMessage? response = null;
        try
        {
            response = await base.SendAsync(request, linked.Token).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
            {
                if (!IsEventStream(response))
                {
                    // The whole body within the timeout; a streamed (SSE) response is read by the caller as it comes.
                    await response.Content.LoadIntoBufferAsync(linked.Token).ConfigureAwait(false);
                }

                return new Outcome(response);
            }

            var status = response.StatusCode;
            var retryAfter = RetryAfterOf(response);
            var body = await response.Content.ReadAsStringAsync(linked.Token).ConfigureAwait(false);
            response.Dispose();
            var (code, message) = ProviderError(body);
            var failure = Classify(status, code, message, body);
            return new Outcome(null, failure, status, retryAfter, code, _redactor?.Redact(message) ?? message);
        }
        catch (OperationCanceledException ex) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            response?.Dispose();
            return new Outcome(null, LlmHttpFailure.Timeout, Error: ex);
        }
        catch (HttpRequestException ex)
        {
            response?.Dispose();
            return new Outcome(null, LlmHttpFailure.Connection, Error: ex);
        }
        catch (IOException ex)
        {
            response?.Dispose();
            return new Outcome(null, LlmHttpFailure.Connection, Error: ex);
        }
        catch
        {
            response?.Dispose();
            throw;
        }
    }

    private LlmHttpException Final(Outcome outcome, string host, int attempts)
    {
        var tries = attempts == 1 ? "1 attempt" : $"{attempts} attempts";
        var what = outcome.Failure switch
        {
            LlmHttpFailure.Timeout => FormattableString.Invariant($"no answer from {host} within {_options.RequestTimeout.TotalSeconds:0.###}s"),
            LlmHttpFailure.Connection => $"{host} could not be reached: {outcome.Error?.Message}",
            _ => FormattableString.Invariant($"HTTP {(int)outcome.Status!.Value} from {host}") + (outcome.ProviderMessage is { } m ? $": {m}" : ""),
        };
        return new LlmHttpException(
            outcome.Failure!.Value,
            string.Create(CultureInfo.InvariantCulture, $"{what} ({tries})"),
            outcome.Status,
            outcome.RetryAfter,
            attempts,
            outcome.ProviderCode,
            outcome.ProviderMessage,
            outcome.Error);
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

    /// <summary>Retry-After as seconds or an HTTP date, or OpenAI's <c>retry-after-ms</c>.</summary>
    private TimeSpan? RetryAfterOf(HttpResponseMessage response)
    {
        if (response.Headers.TryGetValues("retry-after-ms", out var values)
            && double.TryParse(values.FirstOrDefault(), NumberStyles.Float, CultureInfo.InvariantCulture, out var milliseconds)
            && milliseconds >= 0)
        {
            return TimeSpan.FromMilliseconds(milliseconds);
        }

        return response.Headers.RetryAfter switch
        {
            { Delta: { } delta } => delta < TimeSpan.Zero ? TimeSpan.Zero : delta,
            { Date: { } date } => date - _time.GetUtcNow() is var wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero,
            _ => null,
        };
    }

    private static bool IsEventStream(HttpResponseMessage response) =>
        response.Content.Headers.ContentType is MediaTypeHeaderValue { MediaType: "text/event-stream" };

    private static string Describe(Outcome outcome) => outcome.Failure switch
    {
        LlmHttpFailure.Timeout => "timeout",
        LlmHttpFailure.Connection => "connection failure",
        _ => $"HTTP {(int)outcome.Status!.Value}",
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "Model call to {Host} failed ({Failure}, attempt {Attempt} of {MaxAttempts}); retrying in {Delay}")]
    private partial void LogRetrying(string host, string failure, int attempt, int maxAttempts, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Model provider {Host} asked to wait {RetryAfter}, longer than MaxRetryAfter {MaxRetryAfter}; giving the task back")]
    private partial void LogRetryAfterTooLong(string host, TimeSpan retryAfter, TimeSpan maxRetryAfter);

    private readonly record struct Outcome(
        HttpResponseMessage? Response,
        LlmHttpFailure? Failure = null,
        HttpStatusCode? Status = null,
        TimeSpan? RetryAfter = null,
        string? ProviderCode = null,
        string? ProviderMessage = null,
        Exception? Error = null);
}
