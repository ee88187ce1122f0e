using System.Diagnostics;
using System.Globalization;
using System.Net;
using Microsoft.Extensions.Logging;
using Octokit.Internal;
using IResponse = Octokit.IResponse;

namespace MultiAgent.Repositories.GitHub;

/// <summary>
/// The HTTP client Octokit's <see cref="Octokit.Connection"/> sends through: an <see cref="HttpClientAdapter"/> over a
/// handler pipeline built here, wrapped in the retry, timeout and rate-limit policy.
/// </summary>
/// <remarks>
/// The policy sits around the adapter rather than in a <see cref="DelegatingHandler"/> because Octokit gives every
/// request a fixed 100 s budget (its <c>Request.Timeout</c>) that would also bound anything inside the handler chain,
/// and a rate-limit wait (up to <see cref="GitHubOptions.MaxRateLimitWait"/>) or several 30 s attempts can exceed it.
/// Here each attempt is one adapter call with its own <see cref="GitHubOptions.RequestTimeout"/>.
/// </remarks>
internal sealed class ResilientGitHubHttpClient : IHttpClient
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    /// <summary>GitHub's advice for a 429 that names no time: wait at least a minute.</summary>
    private static readonly TimeSpan DefaultSecondaryRateLimitWait = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Added to a rate-limit wait before retrying, so that the retry really comes after the reset or the Retry-After
    /// even when a timer fires a little early or the clocks differ slightly.
    /// </summary>
    private static readonly TimeSpan WaitMargin = TimeSpan.FromMilliseconds(250);

    private readonly IHttpClient _inner;
    private readonly GitHubOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;

    public ResilientGitHubHttpClient(IHttpClient inner, GitHubOptions options, ILogger logger, TimeProvider time)
    {
        _inner = inner;
        _options = options;
        _logger = logger;
        _time = time;

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
        var target = Describe(request);
        var resendable = request.Body is null or string;
        var retries = 0;
        var waitedForRateLimit = false;

        while (true)
        {
            IResponse response;
            string? failure;
            Exception? failureException = null;
            var started = Stopwatch.GetTimestamp();
            using (var attempt = CancellationTokenSource.CreateLinkedTokenSource(callerToken))
            {
                attempt.CancelAfter(_options.RequestTimeout);
                try
                {
                    response = await _inner.Send(request, attempt.Token, preprocessResponseBody!).ConfigureAwait(false);
                    failure = null;
                }
                catch (OperationCanceledException) when (!callerToken.IsCancellationRequested)
                {
                    response = null!;
                    failure = string.Create(CultureInfo.InvariantCulture, $"timed out after {_options.RequestTimeout.TotalSeconds:0.###} s");
                }
                catch (HttpRequestException ex)
                {
                    response = null!;
                    failure = ex.HttpRequestError == HttpRequestError.Unknown ? "failed" : $"failed ({ex.HttpRequestError})";
                    failureException = ex;
                }
            }

            var elapsed = Stopwatch.GetElapsedTime(started);
            if (failure is not null)
            {
                if (retries < _options.MaxRetries && resendable)
                {
                    retries++;
                    var delay = Backoff(retries);
                    _logger.LogWarning(
                        "GitHub {Method} {Path} {Failure}; retry {Retry} of {MaxRetries} in {Delay} ms",
                        request.Method, target, failure, retries, _options.MaxRetries, (int)delay.TotalMilliseconds);
                    await Task.Delay(delay, _time, callerToken).ConfigureAwait(false);
                    continue;
                }

                throw new RepositoryHostException(
                    RepositoryErrorKind.Unavailable,
                    $"GitHub {request.Method} {target} {failure} ({Attempts(retries)}).",
                    failureException);
            }

            var status = (int)response.StatusCode;
            _logger.LogDebug("GitHub {Method} {Path} answered {Status} in {ElapsedMs} ms", request.Method, target, status, (int)elapsed.TotalMilliseconds);

            if (TryGetRateLimitWait(response, _time.GetUtcNow(), out var wait, out var limit))
            {
                if (!waitedForRateLimit && resendable && wait <= _options.MaxRateLimitWait)
                {
                    waitedForRateLimit = true;
                    _logger.LogWarning(
                        "GitHub {Limit} rate limit on {Method} {Path} ({Status}); waiting {WaitMs} ms, then retrying once",
                        limit, request.Method, target, status, (int)wait.TotalMilliseconds);
                    await Task.Delay(wait + WaitMargin, _time, callerToken).ConfigureAwait(false);
                    continue;
                }

                _logger.LogWarning(
                    "GitHub {Limit} rate limit on {Method} {Path} ({Status}); giving up, retry after {WaitMs} ms",
                    limit, request.Method, target, status, (int)wait.TotalMilliseconds);
                var why = waitedForRateLimit ? "still rate limited after waiting once"
                    : !resendable ? "this request cannot be sent again"
                    : string.Create(CultureInfo.InvariantCulture, $"the reset is {wait.TotalSeconds:0} s away, beyond the {_options.MaxRateLimitWait.TotalSeconds:0} s this host waits");
                throw new RepositoryHostException(
                    RepositoryErrorKind.RateLimited,
                    $"GitHub {request.Method} {target} hit the {limit} rate limit (HTTP {status}): {why}.",
                    retryAfter: wait);
            }

            if (IsTransient(status) && retries < _options.MaxRetries && resendable)
            {
                retries++;
                var delay = Backoff(retries);
                if (TryGetRetryAfter(response, _time.GetUtcNow(), out var retryAfter) && retryAfter <= _options.MaxRateLimitWait)
                {
                    delay = retryAfter > delay ? retryAfter : delay;
                }

                _logger.LogWarning(
                    "GitHub {Method} {Path} answered {Status}; retry {Retry} of {MaxRetries} in {Delay} ms",
                    request.Method, target, status, retries, _options.MaxRetries, (int)delay.TotalMilliseconds);
                await Task.Delay(delay, _time, callerToken).ConfigureAwait(false);
                continue;
            }

            // Anything else (success, or an error that another attempt would not change) goes to Octokit, which turns
            // errors into its exceptions; GitHubHost maps those.
            return response;
        }
    }

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

    /// <summary>Reads <c>Retry-After</c> as seconds or an HTTP date.</summary>
    internal static bool TryGetRetryAfter(IResponse response, DateTimeOffset now, out TimeSpan wait)
    {
        wait = TimeSpan.Zero;
        var value = Header(response, "Retry-After");
        if (string.IsNullOrWhiteSpace(value))
        {
            return false;
        }

        if (int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds))
        {
            wait = TimeSpan.FromSeconds(Math.Max(0, seconds));
            return true;
        }

        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
        {
            wait = at > now ? at - now : TimeSpan.Zero;
            return true;
        }

        return false;
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

    private TimeSpan Backoff(int retry)
    {
        var baseMs = Math.Max(0, _options.RetryBaseDelay.TotalMilliseconds) * Math.Pow(2, retry - 1);
        var jittered = baseMs * (0.8 + (Random.Shared.NextDouble() * 0.4));
        return TimeSpan.FromMilliseconds(Math.Min(jittered, MaxBackoff.TotalMilliseconds));
    }

    private static string Attempts(int retries) => retries == 0 ? "1 attempt" : $"{retries + 1} attempts";

    /// <summary>The request's path for logs and messages: no query, no host credentials.</summary>
    private static string Describe(IRequest request)
    {
        var uri = request.Endpoint.IsAbsoluteUri ? request.Endpoint : new Uri(request.BaseAddress, request.Endpoint);
        return uri.AbsolutePath;
    }
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
