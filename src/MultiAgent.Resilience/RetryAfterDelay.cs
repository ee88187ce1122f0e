using Polly;
using Polly.Retry;

namespace MultiAgent.Resilience;

/// <summary>How the exponential back-off is randomised, so that many clients do not retry in step.</summary>
public enum BackoffJitter
{
    /// <summary>"Equal jitter": the capped back-off, of which a random half is taken off.</summary>
    Equal,

    /// <summary>The back-off times a random factor between 0.8 and 1.2, then capped.</summary>
    Spread,
}

/// <summary>
/// The wait before a retry, for a retry strategy's <see cref="RetryStrategyOptions{TResult}.DelayGenerator"/>: what the
/// server asked for (<c>Retry-After</c>, see <see cref="RetryAfterHeader"/>) when it did, else
/// <c>BaseDelay · 2^(retry-1)</c> with jitter, capped at <see cref="MaxBackoff"/>. Whether a failure is retried at all,
/// and whether a wait is too long to be worth it, is the strategy's <c>ShouldHandle</c>'s decision, not this.
/// </summary>
public sealed class RetryAfterDelay
{
    /// <summary>Longest back-off between two attempts when the server does not say how long to wait.</summary>
    public static readonly TimeSpan DefaultMaxBackoff = TimeSpan.FromSeconds(30);

    /// <summary>The first back-off (before jitter); each further retry doubles it.</summary>
    public required TimeSpan BaseDelay { get; init; }

    /// <summary>The back-off's cap.</summary>
    public TimeSpan MaxBackoff { get; init; } = DefaultMaxBackoff;

    /// <summary>How the back-off is randomised.</summary>
    public BackoffJitter Jitter { get; init; } = BackoffJitter.Equal;

    /// <summary>Up to this fraction of the server's wait is added at random (0.1: up to 10% more).</summary>
    public double RetryAfterJitter { get; init; }

    /// <summary>
    /// A <see cref="RetryAfterMargin"/> that covers timers firing early: .NET's timers count a coarse monotonic clock
    /// (a few milliseconds per tick on Linux), so a 1 s wait can end 2–4 ms before 1 s has passed.
    /// </summary>
    public static readonly TimeSpan TimerMargin = TimeSpan.FromMilliseconds(100);

    /// <summary>Added to the server's wait, so that the retry comes after it even when a timer fires early or clocks differ.</summary>
    public TimeSpan RetryAfterMargin { get; init; }

    /// <summary>Whether a server's wait shorter than the back-off is raised to the back-off.</summary>
    public bool RetryAfterAtLeastBackoff { get; init; }

    /// <summary>The back-off before retry number <paramref name="retry"/> (1 for the first).</summary>
    public TimeSpan Backoff(int retry)
    {
        var exponential = Math.Max(0, BaseDelay.TotalMilliseconds) * Math.Pow(2, Math.Clamp(retry - 1, 0, 16));
        var cap = MaxBackoff.TotalMilliseconds;
        var milliseconds = Jitter switch
        {
            BackoffJitter.Spread => Math.Min(exponential * (0.8 + (Random.Shared.NextDouble() * 0.4)), cap),
            _ => Math.Min(exponential, cap) is var capped ? (capped / 2) + (capped / 2 * Random.Shared.NextDouble()) : 0,
        };
        return TimeSpan.FromMilliseconds(milliseconds);
    }

    /// <summary>The wait before retry number <paramref name="retry"/> (1 for the first), given the server's wait if it named one.</summary>
    public TimeSpan Next(int retry, TimeSpan? retryAfter)
    {
        if (retryAfter is not { } wait)
        {
            return Backoff(retry);
        }

        var delay = wait + (wait * (Random.Shared.NextDouble() * RetryAfterJitter)) + RetryAfterMargin;
        return RetryAfterAtLeastBackoff && Backoff(retry) is var backoff && backoff > delay ? backoff : delay;
    }

    /// <summary>
    /// A <see cref="RetryStrategyOptions{TResult}.DelayGenerator"/>: <see cref="Next"/> for the attempt that failed, with
    /// the server's wait read from its outcome by <paramref name="retryAfter"/>.
    /// </summary>
    public Func<RetryDelayGeneratorArguments<TResult>, ValueTask<TimeSpan?>> Generator<TResult>(Func<Outcome<TResult>, TimeSpan?> retryAfter)
    {
        ArgumentNullException.ThrowIfNull(retryAfter);
        return args => ValueTask.FromResult<TimeSpan?>(Next(args.AttemptNumber + 1, retryAfter(args.Outcome)));
    }
}
