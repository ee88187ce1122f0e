using MultiAgent.Contracts;

namespace MultiAgent.Repositories;

/// <summary>What a host says about a repository.</summary>
/// <param name="CloneUrl">What <c>git clone</c> takes (https URL, or a local path).</param>
/// <param name="WebUrl">Where a person looks at it (null for local repositories).</param>
public sealed record RepositoryInfo(RepositoryReference Reference, string DefaultBranch, string CloneUrl, string? WebUrl = null);

/// <summary>
/// How a workspace clones and pushes: the URL and, for hosts that need them, HTTP headers git must send
/// (e.g. a token as an Authorization header). Headers are passed to git through its environment, never on its command
/// line or in a URL, and are never logged.
/// </summary>
public sealed record CloneSource(string Url, IReadOnlyDictionary<string, string> HttpHeaders)
{
    public static CloneSource Anonymous(string url) => new(url, new Dictionary<string, string>());

    public override string ToString() => Url;
}

/// <summary>What a pull request should look like; the head branch identifies it (one open PR per head branch).</summary>
public sealed record PullRequestSpec(string HeadBranch, string BaseBranch, string Title, string Body);

public enum PullRequestState
{
    Open,
    Closed,
    Merged,
}

/// <summary>A pull request as a host reports it.</summary>
public sealed record PullRequestInfo(
    int Number,
    string Url,
    PullRequestState State,
    string HeadBranch,
    string BaseBranch,
    string HeadSha,
    string Title,
    string? MergeCommitSha = null);

public enum FileChangeStatus
{
    Added,
    Modified,
    Removed,
    Renamed,
}

/// <summary>One changed file of a pull request, with its part of the unified diff.</summary>
public sealed record ChangedFile(string Path, FileChangeStatus Status, int Additions, int Deletions, string Patch, string? PreviousPath = null);

/// <summary>A pull request's changes against its base: the whole unified diff and the files one by one.</summary>
public sealed record PullRequestDiff(int Number, string HeadSha, string BaseSha, string UnifiedDiff, IReadOnlyList<ChangedFile> Files);

/// <summary>A review to post: the verdict, a summary, and comments on lines of the change.</summary>
/// <param name="CommitSha">The head the review is about (hosts attach the review to it).</param>
public sealed record ReviewSubmission(ReviewDecision Decision, string Summary, IReadOnlyList<ReviewComment> Comments, string CommitSha);

/// <summary>A review that is on a pull request, as a host lists it.</summary>
/// <param name="Id">The host's id of the review.</param>
/// <param name="Decision">
/// The verdict, when the host knows it: null for a GitHub review that is neither an approval nor a request for changes
/// and whose body does not start with the verdict line the GitHub host writes into comment reviews.
/// </param>
/// <param name="Body">
/// The review's text as stored: on GitHub the review body (summary, then the comments that are not on a line); on the
/// local-git host the summary as posted. Line comments are not part of it.
/// </param>
/// <param name="CommitSha">The commit the review is about, if the host knows it.</param>
/// <param name="Author">
/// Who posted it, as the host knows the account: on GitHub the review's <c>user.login</c> (null for a deleted account);
/// null on the local-git host, whose reviews are only written through this system's own host and record no author.
/// Compare it with <see cref="IRepositoryHost.GetIdentityAsync"/> through <see cref="IsBy"/>.
/// </param>
public sealed record PostedReview(long Id, ReviewDecision? Decision, string Body, string? CommitSha, string? Author = null)
{
    /// <summary>
    /// Whether the review counts as posted by <paramref name="identity"/> (a host's <see cref="IRepositoryHost.GetIdentityAsync"/>):
    /// always when there is no identity to check (null); else when <see cref="Author"/> is that account (compared without
    /// regard to case, as GitHub compares logins).
    /// </summary>
    public bool IsBy(string? identity) =>
        identity is null || string.Equals(Author, identity, StringComparison.OrdinalIgnoreCase);
}

public enum MergeMethod
{
    Merge,
    Squash,
}

/// <summary>The outcome of a merge: the commit now on the base branch.</summary>
public sealed record MergeResult(int Number, string MergeCommitSha, MergeMethod Method);
