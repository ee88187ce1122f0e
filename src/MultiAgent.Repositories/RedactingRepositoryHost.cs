using MultiAgent.Secrets;

namespace MultiAgent.Repositories;

/// <summary>
/// A repository host whose written text passes through the <see cref="SecretRedactor"/> first: pull request titles and
/// bodies, review summaries and comments, and comments. What a host publishes may be public (a GitHub pull request),
/// so nothing the model or a check printed reaches it unmasked. Reads pass through unchanged.
/// </summary>
internal sealed class RedactingRepositoryHost(IRepositoryHost inner, SecretRedactor redactor) : IRepositoryHost
{
    public RepositoryHostKind Kind => inner.Kind;

    public Task<RepositoryInfo> GetRepositoryAsync(RepositoryReference repository, CancellationToken cancellationToken = default) =>
        inner.GetRepositoryAsync(repository, cancellationToken);

    public Task<CloneSource> GetCloneSourceAsync(RepositoryReference repository, CancellationToken cancellationToken = default) =>
        inner.GetCloneSourceAsync(repository, cancellationToken);

    public Task<PullRequestInfo> CreateOrUpdatePullRequestAsync(
        RepositoryReference repository, PullRequestSpec spec, CancellationToken cancellationToken = default) =>
        inner.CreateOrUpdatePullRequestAsync(
            repository, spec with { Title = Redact(spec.Title), Body = Redact(spec.Body) }, cancellationToken);

    public Task<PullRequestInfo> GetPullRequestAsync(RepositoryReference repository, int number, CancellationToken cancellationToken = default) =>
        inner.GetPullRequestAsync(repository, number, cancellationToken);

    public Task<PullRequestDiff> GetDiffAsync(RepositoryReference repository, int number, CancellationToken cancellationToken = default) =>
        inner.GetDiffAsync(repository, number, cancellationToken);

    public Task PostReviewAsync(RepositoryReference repository, int number, ReviewSubmission review, CancellationToken cancellationToken = default) =>
        inner.PostReviewAsync(
            repository,
            number,
            review with
            {
                Summary = Redact(review.Summary),
                Comments = [.. review.Comments.Select(c => c with { Body = Redact(c.Body) })],
            },
            cancellationToken);

    public Task<IReadOnlyList<PostedReview>> ListReviewsAsync(RepositoryReference repository, int number, CancellationToken cancellationToken = default) =>
        inner.ListReviewsAsync(repository, number, cancellationToken);

    public Task<string?> GetIdentityAsync(CancellationToken cancellationToken = default) =>
        inner.GetIdentityAsync(cancellationToken);

    public Task<MergeResult> MergeAsync(
        RepositoryReference repository, int number, string expectedHeadSha, MergeMethod method, CancellationToken cancellationToken = default) =>
        inner.MergeAsync(repository, number, expectedHeadSha, method, cancellationToken);

    public Task ClosePullRequestAsync(RepositoryReference repository, int number, CancellationToken cancellationToken = default) =>
        inner.ClosePullRequestAsync(repository, number, cancellationToken);

    public Task CommentAsync(RepositoryReference repository, int number, string body, CancellationToken cancellationToken = default) =>
        inner.CommentAsync(repository, number, Redact(body), cancellationToken);

    private string Redact(string text) => redactor.Redact(text) ?? "";
}
