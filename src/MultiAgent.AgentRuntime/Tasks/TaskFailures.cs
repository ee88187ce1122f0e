using MultiAgent.Contracts;

namespace MultiAgent.AgentRuntime.Tasks;

/// <summary>A failure worth another attempt: a rate limit, a 5xx, a timeout, a lost connection.</summary>
public class RetryableTaskException(string message, Exception? inner = null, TimeSpan? retryAfter = null)
    : Exception(message, inner), IClassifiedFailure
{
    public bool IsRetryable => true;

    /// <summary>When the other side said how long to wait (Retry-After).</summary>
    public TimeSpan? RetryAfter { get; } = retryAfter;
}

/// <summary>A failure another attempt cannot fix: invalid input, bad credentials, something that does not exist.</summary>
public class NonRetryableTaskException(string message, Exception? inner = null) : Exception(message, inner), IClassifiedFailure
{
    public bool IsRetryable => false;

    public TimeSpan? RetryAfter => null;
}
