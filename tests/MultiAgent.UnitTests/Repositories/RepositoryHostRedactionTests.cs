using MultiAgent.Contracts;
using MultiAgent.Repositories;
using MultiAgent.Secrets;

namespace MultiAgent.UnitTests.Repositories;

/// <summary>Every host the resolver gives out writes no secret: pull request text, review summaries and comments, comments.</summary>
public sealed class RepositoryHostRedactionTests
{
    private const string Secret = "host-secret-value-10";
    private static readonly RepositoryReference Repository = RepositoryReference.Parse("https://github.com/acme/widgets");

    [Fact]
    public async Task What_a_host_is_asked_to_publish_has_every_secret_masked()
    {
        var recorder = new RecordingHost();
        var host = new RepositoryHostResolver([recorder], new SecretRedactor([Secret])).For(Repository);

        await host.CreateOrUpdatePullRequestAsync(Repository, new PullRequestSpec("b", "main", $"Add {Secret}", $"Body {Secret}"));
        await host.PostReviewAsync(Repository, 1, new ReviewSubmission(
            ReviewDecision.RequestChanges, $"Summary {Secret}", [new ReviewComment("a.txt", ReviewCommentSeverity.Blocking, $"Remove {Secret}", 1)], "abc"));
        await host.CommentAsync(Repository, 1, $"Comment with ghp_HostTestToken0123456789abcdefghij and {Secret}");

        Assert.Equal(("Add ***", "Body ***"), (recorder.PullRequest!.Title, recorder.PullRequest.Body));
        Assert.Equal("Summary ***", recorder.Review!.Summary);
        Assert.Equal("Remove ***", Assert.Single(recorder.Review.Comments).Body);
        Assert.Equal((ReviewDecision.RequestChanges, "abc"), (recorder.Review.Decision, recorder.Review.CommitSha));
        Assert.Equal("Comment with *** and ***", recorder.Comment);
    }

    [Fact]
    public async Task The_account_a_host_acts_as_is_told_unchanged()
    {
        var host = new RepositoryHostResolver([new RecordingHost()], new SecretRedactor([Secret])).For(Repository);

        Assert.Equal("multiagent-bot", await host.GetIdentityAsync());
    }

    private sealed class RecordingHost : IRepositoryHost
    {
        public PullRequestSpec? PullRequest { get; private set; }

        public ReviewSubmission? Review { get; private set; }

        public string? Comment { get; private set; }

        public RepositoryHostKind Kind => RepositoryHostKind.GitHub;

        public Task<PullRequestInfo> CreateOrUpdatePullRequestAsync(RepositoryReference repository, PullRequestSpec spec, CancellationToken cancellationToken = default)
        {
            PullRequest = spec;
            return Task.FromResult<PullRequestInfo>(null!);
        }

        public Task PostReviewAsync(RepositoryReference repository, int number, ReviewSubmission review, CancellationToken cancellationToken = default)
        {
            Review = review;
            return Task.CompletedTask;
        }

        public Task CommentAsync(RepositoryReference repository, int number, string body, CancellationToken cancellationToken = default)
        {
            Comment = body;
            return Task.CompletedTask;
        }

        public Task<RepositoryInfo> GetRepositoryAsync(RepositoryReference repository, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<CloneSource> GetCloneSourceAsync(RepositoryReference repository, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<PullRequestInfo> GetPullRequestAsync(RepositoryReference repository, int number, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<PullRequestDiff> GetDiffAsync(RepositoryReference repository, int number, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<IReadOnlyList<PostedReview>> ListReviewsAsync(RepositoryReference repository, int number, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<string?> GetIdentityAsync(CancellationToken cancellationToken = default) => Task.FromResult<string?>("multiagent-bot");

        public Task<MergeResult> MergeAsync(RepositoryReference repository, int number, string expectedHeadSha, MergeMethod method, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public Task ClosePullRequestAsync(RepositoryReference repository, int number, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    }
}
