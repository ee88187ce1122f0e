using System.Net;

namespace MultiAgent.Llm.Http;

/// <summary>What went wrong with a call to the model provider, as the HTTP pipeline saw it.</summary>
public enum LlmHttpFailure
{
    /// <summary>429: too many requests.</summary>
    RateLimited,

    /// <summary>408 or 5xx.</summary>
    ServerError,

    /// <summary>No (whole) answer within <c>RequestTimeout</c>.</summary>
    Timeout,

    /// <summary>The provider could not be reached (DNS, refused or reset connection).</summary>
    Connection,

    /// <summary>401 or 403.</summary>
    Unauthorized,

    /// <summary>The request is larger than the model's context window (400/413 saying so).</summary>
    ContextLengthExceeded,

    /// <summary>404: usually an unknown model or deployment, or a wrong endpoint path.</summary>
    NotFound,

    /// <summary>Any other 4xx: the request itself is wrong.</summary>
    BadRequest,
}

/// <summary>
/// The final failure of a model call after the pipeline's retries, thrown by <see cref="LlmResilienceHandler"/>. The
/// provider SDK may wrap it; <see cref="LlmFailure"/> finds it and turns it into a
/// <see cref="RetryableLlmException"/> or <see cref="NonRetryableLlmException"/>. Its message carries no secret.
/// </summary>
public sealed class LlmHttpException(
    LlmHttpFailure failure,
    string message,
    HttpStatusCode? statusCode = null,
    TimeSpan? retryAfter = null,
    int attempts = 1,
    string? providerCode = null,
    string? providerMessage = null,
    Exception? inner = null)
    : HttpRequestException(message, inner, statusCode)
{
    /// <summary>The kind of failure.</summary>
    public LlmHttpFailure Failure { get; } = failure;

    /// <summary>How long the provider asked to wait (Retry-After), when it did.</summary>
    public TimeSpan? RetryAfter { get; } = retryAfter;

    /// <summary>HTTP attempts made, retries included.</summary>
    public int Attempts { get; } = attempts;

    /// <summary>The provider's error code or type (<c>context_length_exceeded</c>, <c>invalid_request_error</c>), if any.</summary>
    public string? ProviderCode { get; } = providerCode;

    /// <summary>The provider's error message, if any (not yet redacted).</summary>
    public string? ProviderMessage { get; } = providerMessage;

    /// <summary>Whether another attempt later may succeed.</summary>
    public bool IsTransient => Failure is LlmHttpFailure.RateLimited or LlmHttpFailure.ServerError
        or LlmHttpFailure.Timeout or LlmHttpFailure.Connection;
}
