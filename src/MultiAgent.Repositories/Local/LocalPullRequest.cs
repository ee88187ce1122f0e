using MultiAgent.Contracts;

namespace MultiAgent.Repositories.Local;

/// <summary>A pull request of a local repository as recorded in <c>local_pull_requests</c>.</summary>
/// <param name="Repository">The repository's <see cref="RepositoryReference.Key"/> (its absolute path).</param>
/// <param name="Number">Numbered 1, 2, … per repository.</param>
/// <param name="HeadSha">The head last seen by the host (the branch itself is the truth while it exists).</param>
/// <param name="PendingMergeSha">A merge commit prepared and being pushed; set until the pull request is marked merged.</param>
public sealed record LocalPullRequest(
    string Repository,
    int Number,
    PullRequestState State,
    string HeadBranch,
    string BaseBranch,
    string Title,
    string Body,
    string? HeadSha,
    string? MergeCommitSha,
    MergeMethod? MergeMethod,
    string? PendingMergeSha,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>A review recorded on a local pull request.</summary>
public sealed record LocalPullRequestReview(
    long Id,
    ReviewDecision Decision,
    string Summary,
    IReadOnlyList<ReviewComment> Comments,
    string CommitSha,
    DateTimeOffset CreatedAt);

/// <summary>A comment recorded on a local pull request.</summary>
public sealed record LocalPullRequestComment(long Id, string Body, DateTimeOffset CreatedAt);
