namespace MultiAgent.Contracts;

/// <summary>
/// An exception that knows whether another attempt could help, and how long to wait first. The agent runtime's task
/// loop reads it directly (retry with back-off, or fail the job at once), so a library such as the repository hosts
/// classifies its own failures and agents do not translate them.
/// </summary>
public interface IClassifiedFailure
{
    /// <summary>Whether another attempt could succeed (rate limit, unavailable, timeout).</summary>
    bool IsRetryable { get; }

    /// <summary>How long the other side asked to wait before the next attempt, if it said.</summary>
    TimeSpan? RetryAfter { get; }
}
