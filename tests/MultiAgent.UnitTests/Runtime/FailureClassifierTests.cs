using System.Net;
using System.Net.Sockets;
using MultiAgent.AgentRuntime.Tasks;
using MultiAgent.Llm;
using MultiAgent.Repositories;
using NATS.Client.Core;

namespace MultiAgent.UnitTests.Runtime;

/// <summary>Which failures the task loop tries again (rate limits, 5xx, timeouts, lost connections) and which fail the job at once.</summary>
public sealed class FailureClassifierTests
{
    public static TheoryData<Exception, FailureKind> Failures() => new()
    {
        { new RetryableTaskException("busy"), FailureKind.Retryable },
        { new NonRetryableTaskException("bad input"), FailureKind.NonRetryable },
        { new HttpRequestException("429", null, HttpStatusCode.TooManyRequests), FailureKind.Retryable },
        { new HttpRequestException("408", null, HttpStatusCode.RequestTimeout), FailureKind.Retryable },
        { new HttpRequestException("503", null, HttpStatusCode.ServiceUnavailable), FailureKind.Retryable },
        { new HttpRequestException("401", null, HttpStatusCode.Unauthorized), FailureKind.NonRetryable },
        { new HttpRequestException("404", null, HttpStatusCode.NotFound), FailureKind.NonRetryable },
        { new HttpRequestException("connection refused"), FailureKind.Retryable },
        { new TimeoutException(), FailureKind.Retryable },
        { new SocketException(), FailureKind.Retryable },
        { new IOException("reset"), FailureKind.Retryable },
        { new NatsException("no connection"), FailureKind.Retryable },
        { new ArgumentException("bad"), FailureKind.NonRetryable },
        { new FormatException(), FailureKind.NonRetryable },
        { new InvalidOperationException(), FailureKind.NonRetryable },
        { new UnauthorizedAccessException(), FailureKind.NonRetryable },
        { new AggregateException(new TimeoutException()), FailureKind.Retryable },
        { new NotSupportedException(), FailureKind.NonRetryable },
        { new RepositoryHostException(RepositoryErrorKind.RateLimited, "slow down", retryAfter: TimeSpan.FromSeconds(7)), FailureKind.Retryable },
        { new RepositoryHostException(RepositoryErrorKind.Unavailable, "502"), FailureKind.Retryable },
        { new RepositoryHostException(RepositoryErrorKind.NotFound, "no such pull request"), FailureKind.NonRetryable },
        { new RepositoryHostException(RepositoryErrorKind.MergeConflict, "conflict"), FailureKind.NonRetryable },
        { new RetryableLlmException("rate limited", retryAfter: TimeSpan.FromSeconds(3)), FailureKind.Retryable },
        { new NonRetryableLlmException("rejected the credentials", new HttpRequestException("503", null, HttpStatusCode.ServiceUnavailable)), FailureKind.NonRetryable },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public void Classifies_a_failure(Exception failure, FailureKind expected) =>
        Assert.Equal(expected, FailureClassifier.Classify(failure));
}
