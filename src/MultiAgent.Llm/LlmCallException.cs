using MultiAgent.Contracts;

namespace MultiAgent.Llm;

/// <summary>
/// A failed model call, classified (<see cref="IClassifiedFailure"/>): the agent runtime retries a
/// <see cref="RetryableLlmException"/> (with the provider's Retry-After, when it said) and fails the task at once on a
/// <see cref="NonRetryableLlmException"/>. Messages carry no secret (see <see cref="LlmFailure"/>).
/// </summary>
public abstract class LlmCallException(string message, Exception? inner) : Exception(message, inner), IClassifiedFailure
{
    public abstract bool IsRetryable { get; }

    /// <summary>How long the provider asked to wait (Retry-After), if it said.</summary>
    public virtual TimeSpan? RetryAfter => null;
}

/// <summary>A model call worth another attempt: rate limited, 408/5xx, timed out, unreachable, unreadable answer.</summary>
public sealed class RetryableLlmException(string message, Exception? inner = null, TimeSpan? retryAfter = null)
    : LlmCallException(message, inner)
{
    public override bool IsRetryable => true;

    public override TimeSpan? RetryAfter { get; } = retryAfter;
}

/// <summary>A model call another attempt cannot fix: credentials, context length, unknown model, any other 4xx.</summary>
public sealed class NonRetryableLlmException(string message, Exception? inner = null) : LlmCallException(message, inner)
{
    public override bool IsRetryable => false;
}
