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

public enum MergeMethod
{
    Merge,
    Squash,
}

/// <summary>The outcome of a merge: the commit now on the base branch.</summary>
public sealed record MergeResult(int Number, string MergeCommitSha, MergeMethod Method);
