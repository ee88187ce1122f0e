using System.Globalization;
using Microsoft.Extensions.Options;
using MultiAgent.Repositories.Git;

namespace MultiAgent.Repositories.Local;

/// <summary>
/// A repository on this machine's disk as a host: the repository at <see cref="RepositoryReference.LocalPath"/>
/// (bare is recommended: git refuses to push into the checked-out branch of a non-bare one, which merging needs),
/// its default branch from <c>HEAD</c>, and pull requests recorded in PostgreSQL by <see cref="LocalPullRequestStore"/>.
/// A pull request's URL is <c>local://&lt;repository name&gt;/pulls/&lt;number&gt;</c>; its head SHA is read from its
/// branch each time. Merges happen in a throw-away clone and are pushed back (<see cref="LocalMerger"/>).
/// Every operation first checks the repository against <see cref="LocalGitHostOptions.AllowedRoots"/>
/// (<see cref="LocalRepositoryPolicy"/>): a path outside them is refused (NotAllowed) before git or the store is asked.
/// </summary>
public sealed class LocalGitHost(GitCli git, LocalPullRequestStore store, IOptions<LocalGitHostOptions> options) : IRepositoryHost
{
    private readonly LocalMerger _merger = new(git, options.Value);
    private readonly LocalRepositoryPolicy _policy = new(options.Value.AllowedRoots);

    /// <summary>The allowed roots in force.</summary>
    public LocalRepositoryPolicy Policy => _policy;

    /// <inheritdoc />
    public RepositoryHostKind Kind => RepositoryHostKind.Local;

    /// <summary><c>local://&lt;repository name&gt;/pulls/&lt;number&gt;</c>.</summary>
    public static string PullRequestUrl(RepositoryReference repository, int number)
    {
        ArgumentNullException.ThrowIfNull(repository);
        return string.Create(CultureInfo.InvariantCulture, $"local://{repository.Name}/pulls/{number}");
    }

    /// <inheritdoc />
    public async Task<RepositoryInfo> GetRepositoryAsync(RepositoryReference repository, CancellationToken cancellationToken = default)
    {
        var local = await OpenAsync(repository, cancellationToken);
        return new RepositoryInfo(repository, await local.DefaultBranchAsync(git, cancellationToken), local.Path);
    }

    /// <inheritdoc />
    public async Task<CloneSource> GetCloneSourceAsync(RepositoryReference repository, CancellationToken cancellationToken = default)
    {
        var local = await OpenAsync(repository, cancellationToken);
        return CloneSource.Anonymous(local.Path);
    }

    /// <inheritdoc />
    public async Task<PullRequestInfo> CreateOrUpdatePullRequestAsync(
        RepositoryReference repository, PullRequestSpec spec, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var local = await OpenAsync(repository, cancellationToken);
        GitRefs.EnsureValidBranch(spec.HeadBranch, "head");
        GitRefs.EnsureValidBranch(spec.BaseBranch, "base");
        if (string.IsNullOrWhiteSpace(spec.Title))
        {
            throw new RepositoryHostException(RepositoryErrorKind.Validation, "A pull request needs a title.");
        }

        if (spec.HeadBranch == spec.BaseBranch)
        {
            throw new RepositoryHostException(RepositoryErrorKind.Validation, $"Head and base are the same branch ('{spec.HeadBranch}').");
        }

        var headSha = await local.BranchShaAsync(git, spec.HeadBranch, cancellationToken);
        var baseSha = await local.BranchShaAsync(git, spec.BaseBranch, cancellationToken);
        var ahead = await git.RunAsync(local.Path, [.. local.GitDirArguments, "rev-list", "--count", $"{baseSha}..{headSha}"], cancellationToken);
        if (ahead.Output.Trim() == "0")
        {
            throw new RepositoryHostException(
                RepositoryErrorKind.Validation, $"No changes: '{spec.HeadBranch}' has no commits that '{spec.BaseBranch}' does not already have.");
        }

        var pullRequest = await store.CreateOrUpdateAsync(repository.Key, spec, headSha, cancellationToken);
        return ToInfo(repository, pullRequest, headSha);
    }

    /// <inheritdoc />
    public async Task<PullRequestInfo> GetPullRequestAsync(RepositoryReference repository, int number, CancellationToken cancellationToken = default)
    {
        var local = await OpenAsync(repository, cancellationToken);
        var pullRequest = await GetStoredAsync(repository, number, cancellationToken);
        return ToInfo(repository, pullRequest, await HeadShaAsync(local, pullRequest, cancellationToken));
    }

    /// <inheritdoc />
    public async Task<PullRequestDiff> GetDiffAsync(RepositoryReference repository, int number, CancellationToken cancellationToken = default)
    {
        var local = await OpenAsync(repository, cancellationToken);
        var pullRequest = await GetStoredAsync(repository, number, cancellationToken);
        var headSha = await HeadShaAsync(local, pullRequest, cancellationToken);
        var baseSha = await local.BranchShaAsync(git, pullRequest.BaseBranch, cancellationToken);
        var (unified, files) = await GitDiffReader.ReadAsync(git, local.Path, local.GitDirArguments, baseSha, headSha, cancellationToken);
        return new PullRequestDiff(number, headSha, baseSha, unified, files);
    }

    /// <inheritdoc />
    public async Task PostReviewAsync(
        RepositoryReference repository, int number, ReviewSubmission review, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(review);
        await OpenAsync(repository, cancellationToken);
        var pullRequest = await GetStoredAsync(repository, number, cancellationToken);
        if (pullRequest.State != PullRequestState.Open)
        {
            throw new RepositoryHostException(RepositoryErrorKind.Validation, $"Pull request #{number} is {pullRequest.State}; only open ones are reviewed.");
        }

        if (!await store.AddReviewAsync(repository.Key, number, review, cancellationToken))
        {
            throw NotFound(repository, number);
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<PostedReview>> ListReviewsAsync(RepositoryReference repository, int number, CancellationToken cancellationToken = default)
    {
        await OpenAsync(repository, cancellationToken);
        await GetStoredAsync(repository, number, cancellationToken);
        var reviews = await store.ListReviewsAsync(repository.Key, number, cancellationToken);
        return [.. reviews.Select(r => new PostedReview(r.Id, r.Decision, r.Summary, r.CommitSha))];
    }

    /// <summary>
    /// Null: a local pull request's reviews are written only through this host (by this system's agents) and record no
    /// author, so there is no account to tell apart. Whoever can write the system's database can add a review, and could
    /// change the job directly as well.
    /// </summary>
    public Task<string?> GetIdentityAsync(CancellationToken cancellationToken = default) => Task.FromResult<string?>(null);

    /// <inheritdoc />
    public async Task<MergeResult> MergeAsync(
        RepositoryReference repository, int number, string expectedHeadSha, MergeMethod method, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(expectedHeadSha);
        var local = await OpenAsync(repository, cancellationToken);
        await using var repositoryLock = await store.LockRepositoryAsync(repository.Key, cancellationToken);
        var pullRequest = await GetStoredAsync(repository, number, cancellationToken);
        switch (pullRequest.State)
        {
            case PullRequestState.Merged when pullRequest.HeadSha == expectedHeadSha && pullRequest.MergeCommitSha is { } merged:
                // A retried merge of what was merged: the same answer again.
                return new MergeResult(number, merged, pullRequest.MergeMethod ?? method);
            case PullRequestState.Merged or PullRequestState.Closed:
                throw new RepositoryHostException(RepositoryErrorKind.Validation, $"Pull request #{number} is {pullRequest.State}; it cannot be merged.");
        }

        var headSha = await local.BranchShaAsync(git, pullRequest.HeadBranch, cancellationToken);
        if (!string.Equals(headSha, expectedHeadSha, StringComparison.OrdinalIgnoreCase))
        {
            throw new RepositoryHostException(
                RepositoryErrorKind.HeadChanged,
                $"Pull request #{number}: '{pullRequest.HeadBranch}' is at {headSha}, not at the reviewed {expectedHeadSha}; nothing was merged.");
        }

        var baseSha = await local.BranchShaAsync(git, pullRequest.BaseBranch, cancellationToken);
        if (pullRequest.PendingMergeSha is { } pending && await IsAncestorAsync(local, pending, baseSha, cancellationToken))
        {
            // An earlier attempt pushed its merge commit but stopped before recording it.
            await store.MarkMergedAsync(repository.Key, number, pending, method, headSha, cancellationToken);
            return new MergeResult(number, pending, method);
        }

        var mergeSha = await _merger.MergeAsync(
            local,
            pullRequest,
            headSha,
            method,
            sha => store.SetPendingMergeAsync(repository.Key, number, sha, cancellationToken),
            cancellationToken);
        await store.MarkMergedAsync(repository.Key, number, mergeSha, method, headSha, cancellationToken);
        return new MergeResult(number, mergeSha, method);
    }

    /// <inheritdoc />
    public async Task ClosePullRequestAsync(RepositoryReference repository, int number, CancellationToken cancellationToken = default)
    {
        await OpenAsync(repository, cancellationToken);
        await using var repositoryLock = await store.LockRepositoryAsync(repository.Key, cancellationToken);
        var pullRequest = await GetStoredAsync(repository, number, cancellationToken);
        if (pullRequest.State == PullRequestState.Merged)
        {
            throw new RepositoryHostException(RepositoryErrorKind.Validation, $"Pull request #{number} is merged; it cannot be closed.");
        }

        await store.CloseAsync(repository.Key, number, cancellationToken);
    }

    /// <inheritdoc />
    public async Task CommentAsync(RepositoryReference repository, int number, string body, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            throw new RepositoryHostException(RepositoryErrorKind.Validation, "A comment needs a body.");
        }

        await OpenAsync(repository, cancellationToken);
        if (!await store.AddCommentAsync(repository.Key, number, body, cancellationToken))
        {
            throw NotFound(repository, number);
        }
    }

    private Task<LocalRepository> OpenAsync(RepositoryReference repository, CancellationToken cancellationToken) =>
        LocalRepository.OpenAsync(git, _policy, repository, cancellationToken);

    private async Task<LocalPullRequest> GetStoredAsync(RepositoryReference repository, int number, CancellationToken cancellationToken) =>
        await store.GetAsync(repository.Key, number, cancellationToken) ?? throw NotFound(repository, number);

    /// <summary>The head branch's tip; the last recorded head once the branch is gone.</summary>
    private async Task<string> HeadShaAsync(LocalRepository local, LocalPullRequest pullRequest, CancellationToken cancellationToken) =>
        await local.TryBranchShaAsync(git, pullRequest.HeadBranch, cancellationToken)
        ?? pullRequest.HeadSha
        ?? throw new RepositoryHostException(
            RepositoryErrorKind.NotFound, $"Branch '{pullRequest.HeadBranch}' of pull request #{pullRequest.Number} does not exist in '{local.Path}'.");

    private async Task<bool> IsAncestorAsync(LocalRepository local, string commit, string of, CancellationToken cancellationToken)
    {
        var result = await git.RunAsync(
            local.Path, [.. local.GitDirArguments, "merge-base", "--is-ancestor", commit, of], new GitRunOptions { ThrowOnFailure = false }, cancellationToken);
        return result.Succeeded;
    }

    private static PullRequestInfo ToInfo(RepositoryReference repository, LocalPullRequest pullRequest, string headSha) =>
        new(
            pullRequest.Number,
            PullRequestUrl(repository, pullRequest.Number),
            pullRequest.State,
            pullRequest.HeadBranch,
            pullRequest.BaseBranch,
            headSha,
            pullRequest.Title,
            pullRequest.MergeCommitSha);

    private static RepositoryHostException NotFound(RepositoryReference repository, int number) =>
        new(RepositoryErrorKind.NotFound, $"'{repository}' has no pull request #{number}.");
}
