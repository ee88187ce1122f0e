using System.Net;
using System.Net.Sockets;
using NATS.Client.Core;
using MultiAgent.Contracts;
using Npgsql;

namespace MultiAgent.AgentRuntime.Tasks;

/// <summary>Whether a failed task should be tried again.</summary>
public enum FailureKind
{
    Retryable,
    NonRetryable,
}

/// <summary>
/// Sorts exceptions into retryable (rate limits, 5xx, timeouts, connections) and non-retryable (validation, auth,
/// not found, anything unknown). An <see cref="IClassifiedFailure"/> (<see cref="RetryableTaskException"/>,
/// <see cref="NonRetryableTaskException"/>, a repository host's failure) says itself.
/// </summary>
public static class FailureClassifier
{
    public static FailureKind Classify(Exception exception) => exception switch
    {
        IClassifiedFailure classified => classified.IsRetryable ? FailureKind.Retryable : FailureKind.NonRetryable,
        HttpRequestException { StatusCode: { } status } => IsRetryableStatus(status) ? FailureKind.Retryable : FailureKind.NonRetryable,
        HttpRequestException => FailureKind.Retryable,
        TimeoutException or SocketException or IOException => FailureKind.Retryable,
        NatsException => FailureKind.Retryable,
        NpgsqlException { IsTransient: true } => FailureKind.Retryable,
        ArgumentException or FormatException or InvalidOperationException or UnauthorizedAccessException => FailureKind.NonRetryable,
        _ when exception.InnerException is { } inner => Classify(inner),
        _ => FailureKind.NonRetryable,
    };

    public static bool IsRetryableStatus(HttpStatusCode status) =>
        status is HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout or >= HttpStatusCode.InternalServerError;
}
