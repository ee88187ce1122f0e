using MultiAgent.Contracts;

namespace MultiAgent.Repositories;

/// <summary>What went wrong talking to a repository host, in the terms the workflow needs.</summary>
public enum RepositoryErrorKind
{
    /// <summary>The repository reference is not one of the accepted forms.</summary>
    InvalidReference,

    /// <summary>Repository, branch or pull request does not exist (or is invisible to these credentials).</summary>
    NotFound,

    /// <summary>The credentials are missing, wrong or expired (401).</summary>
    Unauthorized,

    /// <summary>The credentials are valid but not allowed to do this (403 without rate limiting).</summary>
    PermissionDenied,

    /// <summary>The target branch is protected, or a push outside the agent branch prefix was attempted.</summary>
    ProtectedBranch,

    /// <summary>The branches cannot be merged without conflicts; nothing was merged.</summary>
    MergeConflict,

    /// <summary>The pull request's head moved since it was reviewed; nothing was merged.</summary>
    HeadChanged,

    /// <summary>The host refused the request as invalid (422), e.g. a pull request with no changes.</summary>
    Validation,

    /// <summary>Primary or secondary rate limit; <see cref="RepositoryHostException.RetryAfter"/> says when to try again.</summary>
    RateLimited,

    /// <summary>The host failed or did not answer (5xx, timeout, connection refused).</summary>
    Unavailable,

    /// <summary>A git command failed for another reason (its output, redacted, is in the message).</summary>
    GitFailed,

    /// <summary>
    /// This system's own policy does not allow the repository: a local path outside
    /// <c>MultiAgent:LocalGit:AllowedRoots</c> (<see cref="Local.LocalRepositoryPolicy"/>). Never retried.
    /// </summary>
    NotAllowed,
}

/// <summary>
/// A failure of a repository host or of git. Messages never contain credentials. <see cref="IsRetryable"/> tells the
/// agent runtime whether another attempt could help (<see cref="IClassifiedFailure"/>).
/// </summary>
public sealed class RepositoryHostException(RepositoryErrorKind kind, string message, Exception? inner = null, TimeSpan? retryAfter = null)
    : Exception(message, inner), IClassifiedFailure
{
    public RepositoryErrorKind Kind { get; } = kind;

    /// <summary>When the host said how long to wait.</summary>
    public TimeSpan? RetryAfter { get; } = retryAfter;

    /// <summary>Rate limits and unavailability are worth another attempt; everything else is not.</summary>
    public bool IsRetryable => Kind is RepositoryErrorKind.RateLimited or RepositoryErrorKind.Unavailable;
}
