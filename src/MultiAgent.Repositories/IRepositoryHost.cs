namespace MultiAgent.Repositories;

/// <summary>
/// What the workflow needs from a repository host. Implementations: GitHub (Octokit) and the local-git host.
/// Every method throws <see cref="RepositoryHostException"/> with a <see cref="RepositoryErrorKind"/> on failure.
/// </summary>
public interface IRepositoryHost
{
    RepositoryHostKind Kind { get; }

    /// <summary>Default branch, clone URL, web URL.</summary>
    Task<RepositoryInfo> GetRepositoryAsync(RepositoryReference repository, CancellationToken cancellationToken = default);

    /// <summary>What a workspace needs to clone from and push to the repository.</summary>
    Task<CloneSource> GetCloneSourceAsync(RepositoryReference repository, CancellationToken cancellationToken = default);

    /// <summary>
    /// Opens a pull request from <see cref="PullRequestSpec.HeadBranch"/>, or updates the title and body of the open one
    /// that already has that head branch (so a retried or later iteration never opens a second one).
    /// </summary>
    Task<PullRequestInfo> CreateOrUpdatePullRequestAsync(RepositoryReference repository, PullRequestSpec spec, CancellationToken cancellationToken = default);

    Task<PullRequestInfo> GetPullRequestAsync(RepositoryReference repository, int number, CancellationToken cancellationToken = default);

    /// <summary>The pull request's changes against its base branch.</summary>
    Task<PullRequestDiff> GetDiffAsync(RepositoryReference repository, int number, CancellationToken cancellationToken = default);

    /// <summary>Posts a review: verdict, summary, and line comments.</summary>
    Task PostReviewAsync(RepositoryReference repository, int number, ReviewSubmission review, CancellationToken cancellationToken = default);

    /// <summary>
    /// The reviews on the pull request, oldest first (all of them, not one page): what lets a caller see whether a
    /// review it means to post is already there (the Reviewer marks its reviews with its task's id).
    /// </summary>
    Task<IReadOnlyList<PostedReview>> ListReviewsAsync(RepositoryReference repository, int number, CancellationToken cancellationToken = default);

    /// <summary>
    /// The account this host acts as, as <see cref="PostedReview.Author"/> names it (GitHub: the login of the token, from
    /// <c>GET /user</c>, asked once per host instance); null when the host has no accounts to tell apart (the local-git
    /// host). What lets a caller tell the reviews this system posted from reviews someone else posted.
    /// </summary>
    Task<string?> GetIdentityAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Merges into the base branch, only if the head is still <paramref name="expectedHeadSha"/> (else HeadChanged);
    /// a conflict is reported (MergeConflict), never forced.
    /// </summary>
    Task<MergeResult> MergeAsync(RepositoryReference repository, int number, string expectedHeadSha, MergeMethod method, CancellationToken cancellationToken = default);

    Task ClosePullRequestAsync(RepositoryReference repository, int number, CancellationToken cancellationToken = default);

    Task CommentAsync(RepositoryReference repository, int number, string body, CancellationToken cancellationToken = default);
}
