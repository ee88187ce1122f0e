using System.Diagnostics;
using System.Globalization;
using System.Net;
using Microsoft.Extensions.Logging;
using MultiAgent.Resilience;
using Octokit.Internal;
using Polly;
using Polly.Retry;
using Polly.Timeout;
using IResponse = Octokit.IResponse;

namespace MultiAgent.Repositories.GitHub;

/// <summary>
/// The HTTP client Octokit's <see cref="Octokit.Connection"/> sends through: an <see cref="HttpClientAdapter"/> over a
/// handler pipeline built here, called through a Polly <see cref="ResiliencePipeline{T}"/>: a retry strategy (5xx,
/// 408, timeouts and connection failures up to <see cref="GitHubOptions.MaxRetries"/> times with back-off; one wait for
/// a rate limit that ends within <see cref="GitHubOptions.MaxRateLimitWait"/>) around a timeout per attempt.
/// </summary>
/// <remarks>
/// The pipeline sits around the adapter rather than in a <see cref="DelegatingHandler"/> because Octokit gives every
/// request a fixed 100 s budget (its <c>Request.Timeout</c>) that would also bound anything inside the handler chain,
/// and a rate-limit wait (up to <see cref="GitHubOptions.MaxRateLimitWait"/>) or several 30 s attempts can exceed it.
/// Here each attempt is one adapter call with its own <see cref="GitHubOptions.RequestTimeout"/>; so the pipeline's
/// outcome is Octokit's <see cref="IResponse"/>, not an <see cref="HttpResponseMessage"/>.
/// </remarks>
internal sealed class ResilientGitHubHttpClient : IHttpClient
{
    /// <summary>GitHub's advice for a 429 that names no time: wait at least a minute.</summary>
    private static readonly TimeSpan DefaultSecondaryRateLimitWait = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Added to a rate-limit wait before retrying, so that the retry really comes after the reset or the Retry-After
    /// even when a timer fires a little early or the clocks differ slightly.
    /// </summary>
    private static readonly TimeSpan WaitMargin = TimeSpan.FromMilliseconds(250);

    /// <summary>The state of one <see cref="Send"/>: what is being sent, and the retries spent so far.</summary>
    private static readonly ResiliencePropertyKey<Call> CallKey = new("MultiAgent.GitHub.Call");

    private readonly IHttpClient _inner;
    private readonly GitHubOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly RetryAfterDelay _transientDelay;
    private readonly RetryAfterDelay _rateLimitDelay;
    private readonly ResiliencePipeline<IResponse> _pipeline;

    public ResilientGitHubHttpClient(IHttpClient inner, GitHubOptions options, ILogger logger, TimeProvider time)
    {
        _inner = inner;
        _options = options;
        _logger = logger;
        _time = time;

        // After a 5xx: the back-off, or the Retry-After if it is longer (and within MaxRateLimitWait).
        _transientDelay = new RetryAfterDelay { BaseDelay = options.RetryBaseDelay, Jitter = BackoffJitter.Spread, RetryAfterAtLeastBackoff = true };
        // After a rate limit: the wait it names, plus a margin.
        _rateLimitDelay = new RetryAfterDelay { BaseDelay = options.RetryBaseDelay, RetryAfterMargin = WaitMargin };
        _pipeline = BuildPipeline();

        // Attempts are bounded by RequestTimeout below; HttpClient's own (whole-send) timeout must not cut them short.
        _inner.SetRequestTimeout(Timeout.InfiniteTimeSpan);
    }

    /// <summary>The handler pipeline under Octokit's adapter: pooled sockets; redirects are followed by Octokit itself.</summary>
    public static HttpMessageHandler CreatePrimaryHandler() => new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.All,
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        ConnectTimeout = TimeSpan.FromSeconds(15),
    };

    public async Task<IResponse> Send(IRequest request, CancellationToken cancellationToken, Func<object, object>? preprocessResponseBody = null)
    {
        using var callerCancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, GitHubCallContext.Cancellation);
        var callerToken = callerCancellation.Token;
        var call = new Call(request.Method.Method, Describe(request), resendable: request.Body is null or string);
        var context = ResilienceContextPool.Shared.Get(callerToken);
        context.Properties.Set(CallKey, call);
        IResponse response;
        try
        {
            response = await _pipeline.ExecuteAsync(
                attempt => SendOnceAsync(request, call, preprocessResponseBody, attempt.CancellationToken),
                context).ConfigureAwait(false);
        }
        catch (Exception ex) when (AttemptFailure(ex, callerToken) is { } failure)
        {
            throw new RepositoryHostException(
                RepositoryErrorKind.Unavailable,
                $"GitHub {call.Method} {call.Target} {failure} ({Attempts(call.Retries)}).",
                ex as HttpRequestException);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }

        var status = (int)response.StatusCode;
        if (TryGetRateLimitWait(response, _time.GetUtcNow(), out var wait, out var limit))
        {
            _logger.LogWarning(
                "GitHub {Limit} rate limit on {Method} {Path} ({Status}); giving up, retry after {WaitMs} ms",
                limit, call.Method, call.Target, status, (int)wait.TotalMilliseconds);
            var why = call.WaitedForRateLimit ? "still rate limited after waiting once"
                : !call.Resendable ? "this request cannot be sent again"
                : string.Create(CultureInfo.InvariantCulture, $"the reset is {wait.TotalSeconds:0} s away, beyond the {_options.MaxRateLimitWait.TotalSeconds:0} s this host waits");
            throw new RepositoryHostException(
                RepositoryErrorKind.RateLimited,
                $"GitHub {call.Method} {call.Target} hit the {limit} rate limit (HTTP {status}): {why}.",
                retryAfter: wait);
        }

        // Anything else (success, or an error that another attempt would not change, or a 5xx after the last retry)
        // goes to Octokit, which turns errors into its exceptions; GitHubHost maps those.
        return response;
    }

    /// <summary>
    /// One retry strategy (its <c>ShouldHandle</c> decides, from the per-call <see cref="Call"/>, between the retries of
    /// transient failures and the single rate-limit wait; Polly's own cap is one above both) around the timeout.
    /// The timeout comes from a generator because the strategy's option accepts only 10 ms to a day.
    /// </summary>
    private ResiliencePipeline<IResponse> BuildPipeline() =>
        new ResiliencePipelineBuilder<IResponse> { TimeProvider = _time }
            .AddRetry(new RetryStrategyOptions<IResponse>
            {
                MaxRetryAttempts = Math.Clamp(_options.MaxRetries, 0, 1000) + 1,
                ShouldHandle = args => ValueTask.FromResult(ShouldRetry(args.Outcome, args.Context)),
                DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(DelayBefore(args.Context.Properties.GetValue(CallKey, null!))),
                OnRetry = args =>
                {
                    OnRetry(args.Context.Properties.GetValue(CallKey, null!), args.RetryDelay);
                    return default;
                },
            })
            .AddTimeout(new TimeoutStrategyOptions { TimeoutGenerator = _ => ValueTask.FromResult(_options.RequestTimeout) })
            .Build();

    private async ValueTask<IResponse> SendOnceAsync(IRequest request, Call call, Func<object, object>? preprocessResponseBody, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var response = await _inner.Send(request, cancellationToken, preprocessResponseBody!).ConfigureAwait(false);
        _logger.LogDebug(
            "GitHub {Method} {Path} answered {Status} in {ElapsedMs} ms",
            call.Method, call.Target, (int)response.StatusCode, (int)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        return response;
    }

    /// <summary>
    /// Sorts the attempt's outcome (kept in <see cref="Call.Last"/> for the delay and the log) and says whether to send
    /// again: a timeout, a connection failure, 408 or 5xx while retries are left; a rate limit that ends within
    /// <see cref="GitHubOptions.MaxRateLimitWait"/>, once. Never a request whose body cannot be sent twice.
    /// </summary>
    private bool ShouldRetry(Outcome<IResponse> outcome, ResilienceContext context)
    {
        var call = context.Properties.GetValue(CallKey, null!);
        var now = _time.GetUtcNow();
        call.Last = outcome switch
        {
            { Exception: { } ex } => AttemptFailure(ex, context.CancellationToken) is { } failure ? new Attempt(AttemptKind.Failed, Failure: failure) : default,
            { Result: { } response } when TryGetRateLimitWait(response, now, out var wait, out var limit) =>
                new Attempt(AttemptKind.RateLimited, (int)response.StatusCode, wait, limit),
            { Result: { } response } when IsTransient((int)response.StatusCode) =>
                new Attempt(AttemptKind.Transient, (int)response.StatusCode, TryGetRetryAfter(response, now, out var retryAfter) && retryAfter <= _options.MaxRateLimitWait ? retryAfter : null),
            _ => default,
        };

        return call.Resendable && call.Last.Kind switch
        {
            AttemptKind.Failed or AttemptKind.Transient => call.Retries < _options.MaxRetries,
            AttemptKind.RateLimited => !call.WaitedForRateLimit && call.Last.Wait <= _options.MaxRateLimitWait,
            _ => false,
        };
    }

    private TimeSpan DelayBefore(Call call) => call.Last.Kind == AttemptKind.RateLimited
        ? _rateLimitDelay.Next(1, call.Last.Wait)
        : _transientDelay.Next(call.Retries + 1, call.Last.Wait);

    private void OnRetry(Call call, TimeSpan delay)
    {
        var last = call.Last;
        if (last.Kind == AttemptKind.RateLimited)
        {
            call.WaitedForRateLimit = true;
            _logger.LogWarning(
                "GitHub {Limit} rate limit on {Method} {Path} ({Status}); waiting {WaitMs} ms, then retrying once",
                last.Limit, call.Method, call.Target, last.Status, (int)last.Wait!.Value.TotalMilliseconds);
            return;
        }

        call.Retries++;
        if (last.Kind == AttemptKind.Failed)
        {
            _logger.LogWarning(
                "GitHub {Method} {Path} {Failure}; retry {Retry} of {MaxRetries} in {Delay} ms",
                call.Method, call.Target, last.Failure, call.Retries, _options.MaxRetries, (int)delay.TotalMilliseconds);
        }
        else
        {
            _logger.LogWarning(
                "GitHub {Method} {Path} answered {Status}; retry {Retry} of {MaxRetries} in {Delay} ms",
                call.Method, call.Target, last.Status, call.Retries, _options.MaxRetries, (int)delay.TotalMilliseconds);
        }
    }

    /// <summary>
    /// How an attempt that threw failed, for the log and the message: a timeout (ours, or Octokit's own per-request
    /// one: any cancellation the caller did not ask for) or a connection failure; null for anything else.
    /// </summary>
    private string? AttemptFailure(Exception exception, CancellationToken callerToken) => exception switch
    {
        TimeoutRejectedException => TimedOut(),
        OperationCanceledException when !callerToken.IsCancellationRequested => TimedOut(),
        HttpRequestException http => http.HttpRequestError == HttpRequestError.Unknown ? "failed" : $"failed ({http.HttpRequestError})",
        _ => null,
    };

    private string TimedOut() => string.Create(CultureInfo.InvariantCulture, $"timed out after {_options.RequestTimeout.TotalSeconds:0.###} s");

    public void SetRequestTimeout(TimeSpan timeout)
    {
        // Per-attempt timeouts come from GitHubOptions.RequestTimeout; Octokit's whole-send timeout stays off.
    }

    public void Dispose() => _inner.Dispose();

    internal static bool IsTransient(int status) => status is 408 or >= 500;

    /// <summary>
    /// Whether a response is a primary rate limit (403/429 with <c>X-RateLimit-Remaining: 0</c>) or a secondary one
    /// (403/429 with <c>Retry-After</c>, or any 429), and how long to wait.
    /// </summary>
    internal static bool TryGetRateLimitWait(IResponse response, DateTimeOffset now, out TimeSpan wait, out string limit)
    {
        wait = TimeSpan.Zero;
        limit = string.Empty;
        var status = (int)response.StatusCode;
        if (status is not (403 or 429))
        {
            return false;
        }

        if (TryGetRetryAfter(response, now, out wait))
        {
            limit = "secondary";
            return true;
        }

        if (Header(response, "X-RateLimit-Remaining") == "0"
            && long.TryParse(Header(response, "X-RateLimit-Reset"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var reset))
        {
            var until = DateTimeOffset.FromUnixTimeSeconds(reset) - now;
            wait = until > TimeSpan.Zero ? until : TimeSpan.Zero;
            limit = "primary";
            return true;
        }

        if (status == 429)
        {
            wait = DefaultSecondaryRateLimitWait;
            limit = "secondary";
            return true;
        }

        return false;
    }

    /// <summary>Reads <c>Retry-After</c> (seconds or an HTTP date; or <c>retry-after-ms</c>) with <see cref="RetryAfterHeader"/>.</summary>
    internal static bool TryGetRetryAfter(IResponse response, DateTimeOffset now, out TimeSpan wait)
    {
        var parsed = RetryAfterHeader.Parse(name => Header(response, name), now);
        wait = parsed ?? TimeSpan.Zero;
        return parsed is not null;
    }

    internal static string? Header(IResponse response, string name)
    {
        if (response.Headers is null)
        {
            return null;
        }

        foreach (var header in response.Headers)
        {
            if (string.Equals(header.Key, name, StringComparison.OrdinalIgnoreCase))
            {
                return header.Value?.Trim();
            }
        }

        return null;
    }

    private static string Attempts(int retries) => retries == 0 ? "1 attempt" : $"{retries + 1} attempts";

    /// <summary>The request's path for logs and messages: no query, no host credentials.</summary>
    private static string Describe(IRequest request)
    {
        var uri = request.Endpoint.IsAbsoluteUri ? request.Endpoint : new Uri(request.BaseAddress, request.Endpoint);
        return uri.AbsolutePath;
    }
}

/// <summary>What one attempt's outcome was, as far as retrying goes.</summary>
internal enum AttemptKind
{
    /// <summary>Success, or an error another attempt would not change.</summary>
    Final,

    /// <summary>A timeout or a connection failure.</summary>
    Failed,

    /// <summary>408 or 5xx.</summary>
    Transient,

    /// <summary>A primary or secondary rate limit.</summary>
    RateLimited,
}

/// <summary>An attempt's outcome: its kind, status, the wait the server named (if any), the limit or the failure.</summary>
internal readonly record struct Attempt(AttemptKind Kind, int Status = 0, TimeSpan? Wait = null, string? Limit = null, string? Failure = null);

/// <summary>One call through the pipeline: what is sent, its last attempt, and the retries spent.</summary>
internal sealed class Call(string method, string target, bool resendable)
{
    public string Method { get; } = method;

    public string Target { get; } = target;

    /// <summary>Whether the request may be sent again: its body, if any, is a string, not a stream.</summary>
    public bool Resendable { get; } = resendable;

    public Attempt Last { get; set; }

    /// <summary>Retries of timeouts, connection failures, 408 and 5xx so far (the rate-limit wait is not one).</summary>
    public int Retries { get; set; }

    public bool WaitedForRateLimit { get; set; }
}

/// <summary>
/// Carries the caller's cancellation token into Octokit calls whose methods take none, down to
/// <see cref="ResilientGitHubHttpClient"/>.
/// </summary>
internal static class GitHubCallContext
{
    private static readonly AsyncLocal<CancellationToken> Current = new();

    public static CancellationToken Cancellation => Current.Value;

    /// <summary>Sets the token for the rest of the calling async method (and what it awaits); restored when it returns.</summary>
    public static void Set(CancellationToken cancellationToken) => Current.Value = cancellationToken;
}
