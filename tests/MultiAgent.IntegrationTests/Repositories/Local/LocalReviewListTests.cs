using MultiAgent.Contracts;
using MultiAgent.Repositories;
using MultiAgent.IntegrationTests.Infrastructure;

namespace MultiAgent.IntegrationTests.Repositories.Local;

/// <summary><c>ListReviewsAsync</c> on the local-git host: the reviews recorded in PostgreSQL, through the host's interface.</summary>
[Collection(InfrastructureCollection.Name)]
public sealed class LocalReviewListTests(InfrastructureFixture infrastructure) : LocalHostTestBase(infrastructure)
{
    [Fact]
    public async Task ListReviews_gives_the_pull_requests_reviews_oldest_first_with_summary_verdict_and_commit()
    {
        var repository = await Sandbox.CreateRepositoryAsync();
        var first = await Sandbox.CommitAsync(repository.LocalPath!, "agent/list-1", "a.txt", "a\n", "Write a.txt");
        var pr = await Host.CreateOrUpdatePullRequestAsync(repository, Spec("agent/list-1"));
        Assert.Empty(await Host.ListReviewsAsync(repository, pr.Number));

        await Host.PostReviewAsync(repository, pr.Number, new ReviewSubmission(
            ReviewDecision.RequestChanges, "Fix it.\n\n<!-- hidden note -->", [new ReviewComment("a.txt", ReviewCommentSeverity.Blocking, "Wrong.", 1)], first));
        var second = await Sandbox.CommitAsync(repository.LocalPath!, "agent/list-1", "a.txt", "b\n", "Rewrite a.txt");
        await Host.PostReviewAsync(repository, pr.Number, new ReviewSubmission(ReviewDecision.Approve, "Good now.", [], second));

        var reviews = await Host.ListReviewsAsync(repository, pr.Number);

        Assert.Equal(
            [(ReviewDecision.RequestChanges, "Fix it.\n\n<!-- hidden note -->", first), (ReviewDecision.Approve, "Good now.", second)],
            reviews.Select(r => ((ReviewDecision)r.Decision!, r.Body, r.CommitSha!)));
        Assert.Equal((await Store.ListReviewsAsync(repository.Key, pr.Number)).Select(r => r.Id), reviews.Select(r => r.Id));
    }

    [Fact]
    public async Task ListReviews_keeps_each_pull_request_and_repository_apart()
    {
        var demo = await Sandbox.CreateRepositoryAsync();
        var other = await Sandbox.CreateRepositoryAsync("other");
        var head = await Sandbox.CommitAsync(demo.LocalPath!, "agent/list-2", "a.txt", "a\n", "Write a.txt");
        await Sandbox.CommitAsync(other.LocalPath!, "agent/list-2", "a.txt", "a\n", "Write a.txt");
        var pr = await Host.CreateOrUpdatePullRequestAsync(demo, Spec("agent/list-2"));
        var otherPr = await Host.CreateOrUpdatePullRequestAsync(other, Spec("agent/list-2"));

        await Host.PostReviewAsync(demo, pr.Number, new ReviewSubmission(ReviewDecision.Approve, "Demo.", [], head));

        Assert.Equal("Demo.", Assert.Single(await Host.ListReviewsAsync(demo, pr.Number)).Body);
        Assert.Empty(await Host.ListReviewsAsync(other, otherPr.Number));
    }

    [Fact]
    public async Task ListReviews_of_a_missing_pull_request_or_repository_is_NotFound()
    {
        var repository = await Sandbox.CreateRepositoryAsync();

        await FailsWith(RepositoryErrorKind.NotFound, () => Host.ListReviewsAsync(repository, 7));
        await FailsWith(RepositoryErrorKind.NotFound, () => Host.ListReviewsAsync(RepositoryReference.Parse(Path.Combine(Sandbox.Root, "missing.git")), 1));
    }
}
