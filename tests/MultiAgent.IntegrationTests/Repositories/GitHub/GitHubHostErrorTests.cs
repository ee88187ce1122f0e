using MultiAgent.Contracts;
using MultiAgent.Repositories;
using MultiAgent.Repositories.GitHub;
using MultiAgent.IntegrationTests.Fakes.GitHub;

namespace MultiAgent.IntegrationTests.Repositories.GitHub;

/// <summary>How GitHub's refusals become <see cref="RepositoryHostException"/> kinds.</summary>
public sealed class GitHubHostErrorTests
{
    [Fact]
    public async Task A_401_is_Unauthorized_not_retryable_and_not_retried()
    {
        await using var h = await GitHubHostHarness.StartAsync();
        h.Fake.RequiredToken = "some-other-token";

        var ex = await Assert.ThrowsAsync<RepositoryHostException>(() => h.Host.GetRepositoryAsync(h.Reference));

        Assert.Equal(RepositoryErrorKind.Unauthorized, ex.Kind);
        Assert.False(ex.IsRetryable);
        Assert.Contains("Bad credentials", ex.Message, StringComparison.Ordinal);
        Assert.Equal(401, Assert.Single(h.Fake.Requests).Status);
    }

    [Fact]
    public async Task A_404_is_NotFound()
    {
        await using var h = await GitHubHostHarness.StartAsync();

        var ex = await Assert.ThrowsAsync<RepositoryHostException>(() => h.Host.GetRepositoryAsync(RepositoryReference.Parse("https://github.com/octo/missing")));

        Assert.Equal(RepositoryErrorKind.NotFound, ex.Kind);
        Assert.False(ex.IsRetryable);
        Assert.Contains("github.com/octo/missing", ex.Message, StringComparison.Ordinal);
        Assert.Single(h.Fake.Requests);
    }

    [Fact]
    public async Task A_missing_pull_request_is_NotFound()
    {
        await using var h = await GitHubHostHarness.StartAsync();

        var ex = await Assert.ThrowsAsync<RepositoryHostException>(() => h.Host.GetPullRequestAsync(h.Reference, 999));

        Assert.Equal(RepositoryErrorKind.NotFound, ex.Kind);
    }

    [Fact]
    public async Task A_403_that_is_no_rate_limit_is_PermissionDenied()
    {
        await using var h = await GitHubHostHarness.StartAsync();
        var pr = h.Fake.AddPullRequest(h.Repository, "agent/x", "X");
        h.Fake.Enqueue("POST", $"{h.RepoPath}/issues/{pr.Number}/comments", FakeFault.Error(403, "Resource not accessible by integration"));

        var ex = await Assert.ThrowsAsync<RepositoryHostException>(() => h.Host.CommentAsync(h.Reference, pr.Number, "hi"));

        Assert.Equal(RepositoryErrorKind.PermissionDenied, ex.Kind);
        Assert.False(ex.IsRetryable);
        Assert.Contains("Resource not accessible by integration", ex.Message, StringComparison.Ordinal);
        Assert.Single(h.Fake.Requests);
    }

    [Fact]
    public async Task A_409_on_merge_because_the_head_moved_is_HeadChanged_and_nothing_is_merged()
    {
        await using var h = await GitHubHostHarness.StartAsync();
        var pr = h.Fake.AddPullRequest(h.Repository, "agent/moved", "Moved");
        var reviewedSha = new string('a', 40);

        var ex = await Assert.ThrowsAsync<RepositoryHostException>(() => h.Host.MergeAsync(h.Reference, pr.Number, reviewedSha, MergeMethod.Squash));

        Assert.Equal(RepositoryErrorKind.HeadChanged, ex.Kind);
        Assert.False(ex.IsRetryable);
        Assert.Contains(reviewedSha, ex.Message, StringComparison.Ordinal);
        Assert.Contains(pr.HeadSha, ex.Message, StringComparison.Ordinal);
        Assert.Equal(409, Assert.Single(h.Fake.RequestsTo("PUT", $"{h.RepoPath}/pulls/{pr.Number}/merge")).Status);
        Assert.False(pr.Merged);
    }

    [Fact]
    public async Task A_409_on_merge_at_the_expected_head_is_MergeConflict()
    {
        await using var h = await GitHubHostHarness.StartAsync();
        var pr = h.Fake.AddPullRequest(h.Repository, "agent/conflict", "Conflict");
        h.Fake.Enqueue("PUT", $"{h.RepoPath}/pulls/{pr.Number}/merge", FakeFault.Error(409, "Merge conflict"));

        var ex = await Assert.ThrowsAsync<RepositoryHostException>(() => h.Host.MergeAsync(h.Reference, pr.Number, pr.HeadSha, MergeMethod.Squash));

        Assert.Equal(RepositoryErrorKind.MergeConflict, ex.Kind);
        Assert.False(pr.Merged);
    }

    [Fact]
    public async Task A_405_not_mergeable_is_MergeConflict()
    {
        await using var h = await GitHubHostHarness.StartAsync();
        var pr = h.Fake.AddPullRequest(h.Repository, "agent/conflicting", "Conflicting");
        pr.Mergeable = false;

        var ex = await Assert.ThrowsAsync<RepositoryHostException>(() => h.Host.MergeAsync(h.Reference, pr.Number, pr.HeadSha, MergeMethod.Squash));

        Assert.Equal(RepositoryErrorKind.MergeConflict, ex.Kind);
        Assert.Contains("not mergeable", ex.Message, StringComparison.Ordinal);
        Assert.False(pr.Merged);
    }

    [Theory]
    [InlineData("At least 1 approving review is required by reviewers with write access.")]
    [InlineData("Required status check \"ci\" is expected.")]
    [InlineData("Repository rule violations found")]
    public async Task A_405_from_branch_protection_is_ProtectedBranch(string message)
    {
        await using var h = await GitHubHostHarness.StartAsync();
        var pr = h.Fake.AddPullRequest(h.Repository, "agent/protected", "Protected");
        pr.MergeRefusal = message;

        var ex = await Assert.ThrowsAsync<RepositoryHostException>(() => h.Host.MergeAsync(h.Reference, pr.Number, pr.HeadSha, MergeMethod.Squash));

        Assert.Equal(RepositoryErrorKind.ProtectedBranch, ex.Kind);
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
        Assert.False(pr.Merged);
    }

    [Fact]
    public async Task A_405_base_branch_modified_is_MergeConflict()
    {
        await using var h = await GitHubHostHarness.StartAsync();
        var pr = h.Fake.AddPullRequest(h.Repository, "agent/base-moved", "Base moved");
        pr.MergeRefusal = "Base branch was modified. Review and try the merge again.";

        var ex = await Assert.ThrowsAsync<RepositoryHostException>(() => h.Host.MergeAsync(h.Reference, pr.Number, pr.HeadSha, MergeMethod.Squash));

        Assert.Equal(RepositoryErrorKind.MergeConflict, ex.Kind);
        Assert.Contains("Base branch was modified", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_422_is_Validation_with_GitHubs_reason()
    {
        await using var h = await GitHubHostHarness.StartAsync();
        h.Fake.Enqueue("POST", $"{h.RepoPath}/pulls", FakeFault.Error(422, "Validation Failed", "No commits between main and agent/empty"));

        var ex = await Assert.ThrowsAsync<RepositoryHostException>(() =>
            h.Host.CreateOrUpdatePullRequestAsync(h.Reference, new PullRequestSpec("agent/empty", "main", "Nothing", "")));

        Assert.Equal(RepositoryErrorKind.Validation, ex.Kind);
        Assert.False(ex.IsRetryable);
        Assert.Contains("No commits between main and agent/empty", ex.Message, StringComparison.Ordinal);
        Assert.Empty(h.Repository.PullRequests);
    }

    [Fact]
    public async Task A_local_reference_is_InvalidReference_without_a_request()
    {
        await using var h = await GitHubHostHarness.StartAsync();

        var ex = await Assert.ThrowsAsync<RepositoryHostException>(() => h.Host.GetRepositoryAsync(RepositoryReference.Parse("/tmp/some-repo")));

        Assert.Equal(RepositoryErrorKind.InvalidReference, ex.Kind);
        Assert.Empty(h.Fake.Requests);
    }

    [Fact]
    public async Task An_enterprise_reference_with_the_default_api_url_is_InvalidReference()
    {
        using var host = new GitHubHost(new GitHubOptions { Token = GitHubHostHarness.Token });

        var ex = await Assert.ThrowsAsync<RepositoryHostException>(() => host.GetRepositoryAsync(RepositoryReference.Parse("https://ghe.example.com/octo/widgets")));

        Assert.Equal(RepositoryErrorKind.InvalidReference, ex.Kind);
        Assert.Contains("https://ghe.example.com/api/v3/", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_token_every_call_is_Unauthorized_and_says_what_to_set()
    {
        await using var fake = await GitHubFake.StartAsync();
        fake.AddRepository("octo", "widgets");
        using var host = new GitHubHost(new GitHubOptions { Token = "  ", ApiBaseUrl = fake.ApiBaseUrl.ToString() });
        var reference = RepositoryReference.Parse("https://github.com/octo/widgets");

        var calls = new Func<Task>[]
        {
            () => host.GetRepositoryAsync(reference),
            () => host.GetCloneSourceAsync(reference),
            () => host.CreateOrUpdatePullRequestAsync(reference, new PullRequestSpec("agent/x", "main", "t", "b")),
            () => host.GetPullRequestAsync(reference, 1),
            () => host.GetDiffAsync(reference, 1),
            () => host.PostReviewAsync(reference, 1, new ReviewSubmission(ReviewDecision.Approve, "ok", [], "abc")),
            () => host.MergeAsync(reference, 1, "abc", MergeMethod.Squash),
            () => host.ClosePullRequestAsync(reference, 1),
            () => host.CommentAsync(reference, 1, "hi"),
        };
        foreach (var call in calls)
        {
            var ex = await Assert.ThrowsAsync<RepositoryHostException>(call);
            Assert.Equal(RepositoryErrorKind.Unauthorized, ex.Kind);
            Assert.Contains("MultiAgent:GitHub:Token", ex.Message, StringComparison.Ordinal);
        }

        Assert.Empty(fake.Requests);
    }
}
