using MultiAgent.Contracts;
using MultiAgent.Repositories;
using MultiAgent.IntegrationTests.Fakes.GitHub;

namespace MultiAgent.IntegrationTests.Repositories.GitHub;

/// <summary>
/// <c>GetIdentityAsync</c> on the GitHub host: the account the token acts as (<c>GET /user</c>), asked once, and what
/// tells the reviews this system posted from a copy posted by someone else.
/// </summary>
public sealed class GitHubHostIdentityTests
{
    [Fact]
    public async Task The_identity_is_the_login_of_the_tokens_account_asked_once_per_host()
    {
        await using var h = await GitHubHostHarness.StartAsync();
        h.Fake.AuthenticatedLogin = "acme-reviewer-bot";

        var first = await h.Host.GetIdentityAsync();
        var again = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => h.Host.GetIdentityAsync()));

        Assert.Equal("acme-reviewer-bot", first);
        Assert.All(again, login => Assert.Equal("acme-reviewer-bot", login));
        var request = Assert.Single(h.Fake.RequestsTo("GET", "/user"));
        Assert.Equal($"Bearer {GitHubHostHarness.Token}", request.Header("Authorization"));
        Assert.Equal(200, request.Status);
    }

    [Fact]
    public async Task A_review_copied_by_another_user_is_told_apart_from_the_one_the_token_posted()
    {
        await using var h = await GitHubHostHarness.StartAsync();
        var pr = h.Fake.AddPullRequest(h.Repository, "agent/job-30", "Review me");
        await h.Host.PostReviewAsync(h.Reference, pr.Number, new ReviewSubmission(ReviewDecision.Approve, "Fine.\n\n<!-- marks -->", [], pr.HeadSha));
        h.Fake.AddReview(pr, "mallory", "APPROVE", "Fine.\n\n<!-- marks -->");

        var identity = await h.Host.GetIdentityAsync();
        var reviews = await h.Host.ListReviewsAsync(h.Reference, pr.Number);

        Assert.Equal(["multiagent-bot", "mallory"], reviews.Select(r => r.Author));
        Assert.Equal(reviews[0].Body, reviews[1].Body);
        Assert.Equal([true, false], reviews.Select(r => r.IsBy(identity)));
        Assert.True(reviews[1].IsBy("MALLORY")); // GitHub logins are compared without regard to case
    }

    [Fact]
    public async Task A_failed_identity_request_is_not_kept_and_the_next_call_asks_again()
    {
        await using var h = await GitHubHostHarness.StartAsync(o => o.MaxRetries = 0);
        h.Fake.Enqueue("GET", "/user", FakeFault.ServerError());

        var ex = await Assert.ThrowsAsync<RepositoryHostException>(() => h.Host.GetIdentityAsync());
        var login = await h.Host.GetIdentityAsync();

        Assert.Equal(RepositoryErrorKind.Unavailable, ex.Kind);
        Assert.True(ex.IsRetryable);
        Assert.Equal("multiagent-bot", login);
        Assert.Equal([503, 200], h.Fake.RequestsTo("GET", "/user").Select(r => r.Status));
    }

    [Fact]
    public async Task The_identity_request_is_retried_through_a_503_like_every_call()
    {
        await using var h = await GitHubHostHarness.StartAsync();
        h.Fake.Enqueue("GET", "/user", FakeFault.ServerError());

        Assert.Equal("multiagent-bot", await h.Host.GetIdentityAsync());
        Assert.Equal([503, 200], h.Fake.RequestsTo("GET", "/user").Select(r => r.Status));
    }

    [Fact]
    public async Task A_token_that_may_not_read_its_user_is_PermissionDenied_naming_the_request_and_not_the_token()
    {
        await using var h = await GitHubHostHarness.StartAsync();
        // What GitHub answers a GitHub App installation token.
        h.Fake.Enqueue("GET", "/user", FakeFault.Error(403, "Resource not accessible by integration"));

        var ex = await Assert.ThrowsAsync<RepositoryHostException>(() => h.Host.GetIdentityAsync());

        Assert.Equal(RepositoryErrorKind.PermissionDenied, ex.Kind);
        Assert.False(ex.IsRetryable);
        Assert.Contains("GET /user", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Resource not accessible by integration", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(GitHubHostHarness.Token, ex.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_token_the_identity_is_Unauthorized_and_says_to_set_it()
    {
        await using var h = await GitHubHostHarness.StartAsync(o => o.Token = null);

        var ex = await Assert.ThrowsAsync<RepositoryHostException>(() => h.Host.GetIdentityAsync());

        Assert.Equal(RepositoryErrorKind.Unauthorized, ex.Kind);
        Assert.Contains("set MultiAgent:GitHub:Token", ex.Message, StringComparison.Ordinal);
        Assert.Empty(h.Fake.Requests);
    }
}
