using MultiAgent.Contracts;
using MultiAgent.Repositories;
using MultiAgent.IntegrationTests.Fakes.GitHub;

namespace MultiAgent.IntegrationTests.Repositories.GitHub;

/// <summary><c>ListReviewsAsync</c> on the GitHub host: every page, the verdict of each review, and its failures.</summary>
public sealed class GitHubHostReviewListTests
{
    [Fact]
    public async Task ListReviews_gives_every_review_oldest_first_with_body_verdict_commit_and_author()
    {
        await using var h = await GitHubHostHarness.StartAsync();
        var pr = h.Fake.AddPullRequest(h.Repository, "agent/job-20", "Review me");
        pr.Reviews.Add(new FakeReview(1, "COMMENT", "Drive-by remark.", "0123abcd", []));

        await h.Host.PostReviewAsync(h.Reference, pr.Number, new ReviewSubmission(ReviewDecision.RequestChanges, "Fix it.", [], pr.HeadSha));
        await h.Host.PostReviewAsync(h.Reference, pr.Number, new ReviewSubmission(
            ReviewDecision.Approve, "Good now.", [new ReviewComment("", ReviewCommentSeverity.Info, "Thanks.")], pr.HeadSha));

        var reviews = await h.Host.ListReviewsAsync(h.Reference, pr.Number);

        Assert.Equal(pr.Reviews.Select(r => r.Id), reviews.Select(r => r.Id));
        Assert.Equal([null, ReviewDecision.RequestChanges, ReviewDecision.Approve], reviews.Select(r => r.Decision));
        Assert.Equal(["someone-else", "multiagent-bot", "multiagent-bot"], reviews.Select(r => r.Author));
        Assert.Equal(("Drive-by remark.", "0123abcd"), (reviews[0].Body, reviews[0].CommitSha));
        Assert.Equal(("Fix it.", pr.HeadSha), (reviews[1].Body, reviews[1].CommitSha));
        Assert.StartsWith("Good now.", reviews[2].Body, StringComparison.Ordinal);
        Assert.Contains("Thanks.", reviews[2].Body, StringComparison.Ordinal);
        var get = Assert.Single(h.Fake.RequestsTo("GET", $"{h.RepoPath}/pulls/{pr.Number}/reviews"));
        Assert.Contains("per_page=100", get.Query, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ListReviews_reads_the_verdict_of_a_comment_review_from_its_verdict_line()
    {
        await using var h = await GitHubHostHarness.StartAsync();
        h.Fake.RejectSelfReview = true;
        var pr = await h.Host.CreateOrUpdatePullRequestAsync(h.Reference, new PullRequestSpec("agent/job-21", "main", "Mine", "Body"));

        await h.Host.PostReviewAsync(h.Reference, pr.Number, new ReviewSubmission(ReviewDecision.RequestChanges, "Not yet.", [], pr.HeadSha));
        await h.Host.PostReviewAsync(h.Reference, pr.Number, new ReviewSubmission(ReviewDecision.Approve, "Now fine.", [], pr.HeadSha));

        var reviews = await h.Host.ListReviewsAsync(h.Reference, pr.Number);

        Assert.Equal(["COMMENT", "COMMENT"], h.Repository.PullRequests.Single().Reviews.Select(r => r.Event));
        Assert.Equal([ReviewDecision.RequestChanges, ReviewDecision.Approve], reviews.Select(r => r.Decision));
        Assert.Contains("Now fine.", reviews[1].Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ListReviews_follows_every_page()
    {
        await using var h = await GitHubHostHarness.StartAsync();
        h.Fake.ReviewsPageSize = 2;
        var pr = h.Fake.AddPullRequest(h.Repository, "agent/job-22", "Review me");
        for (var i = 1; i <= 5; i++)
        {
            pr.Reviews.Add(new FakeReview(i, "COMMENT", $"Remark {i}.", pr.HeadSha, []));
        }

        var reviews = await h.Host.ListReviewsAsync(h.Reference, pr.Number);

        Assert.Equal(["Remark 1.", "Remark 2.", "Remark 3.", "Remark 4.", "Remark 5."], reviews.Select(r => r.Body));
        Assert.Equal(3, h.Fake.RequestsTo("GET", $"{h.RepoPath}/pulls/{pr.Number}/reviews").Count);
    }

    [Fact]
    public async Task ListReviews_of_a_pull_request_without_reviews_is_empty()
    {
        await using var h = await GitHubHostHarness.StartAsync();
        var pr = h.Fake.AddPullRequest(h.Repository, "agent/job-23", "Review me");

        Assert.Empty(await h.Host.ListReviewsAsync(h.Reference, pr.Number));
    }

    [Fact]
    public async Task ListReviews_of_a_missing_pull_request_is_NotFound()
    {
        await using var h = await GitHubHostHarness.StartAsync();

        var ex = await Assert.ThrowsAsync<RepositoryHostException>(() => h.Host.ListReviewsAsync(h.Reference, 999));

        Assert.Equal(RepositoryErrorKind.NotFound, ex.Kind);
        Assert.False(ex.IsRetryable);
    }

    [Fact]
    public async Task ListReviews_is_retried_through_a_503()
    {
        await using var h = await GitHubHostHarness.StartAsync();
        var pr = h.Fake.AddPullRequest(h.Repository, "agent/job-24", "Review me");
        pr.Reviews.Add(new FakeReview(1, "APPROVE", "Fine.", pr.HeadSha, []));
        h.Fake.Enqueue("GET", $"{h.RepoPath}/pulls/{pr.Number}/reviews", FakeFault.ServerError());

        var review = Assert.Single(await h.Host.ListReviewsAsync(h.Reference, pr.Number));

        Assert.Equal(ReviewDecision.Approve, review.Decision);
        Assert.Equal([503, 200], h.Fake.RequestsTo("GET", $"{h.RepoPath}/pulls/{pr.Number}/reviews").Select(r => r.Status));
    }

    [Fact]
    public async Task ListReviews_gives_up_on_a_long_rate_limit_as_RateLimited()
    {
        await using var h = await GitHubHostHarness.StartAsync(o => o.MaxRateLimitWait = TimeSpan.FromSeconds(1));
        var pr = h.Fake.AddPullRequest(h.Repository, "agent/job-25", "Review me");
        h.Fake.Enqueue("GET", $"{h.RepoPath}/pulls/{pr.Number}/reviews", FakeFault.SecondaryRateLimit(600));

        var ex = await Assert.ThrowsAsync<RepositoryHostException>(() => h.Host.ListReviewsAsync(h.Reference, pr.Number));

        Assert.Equal(RepositoryErrorKind.RateLimited, ex.Kind);
        Assert.True(ex.IsRetryable);
    }
}
