using System.Diagnostics;
using MultiAgent.Repositories;
using MultiAgent.Repositories.GitHub;
using MultiAgent.IntegrationTests.Fakes.GitHub;

namespace MultiAgent.IntegrationTests.Repositories.GitHub;

/// <summary>Rate limits, retries of 5xx and timeouts, seen from the requests the fake recorded.</summary>
public sealed class GitHubHostResilienceTests
{
    [Fact]
    public async Task A_primary_rate_limit_resetting_soon_is_waited_out_then_the_request_succeeds()
    {
        await using var h = await GitHubHostHarness.StartAsync();
        var reset = DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 2; // between 1 and 2 s ahead
        h.Fake.Enqueue("GET", h.RepoPath, FakeFault.PrimaryRateLimit(reset));

        var info = await h.Host.GetRepositoryAsync(h.Reference);

        Assert.Equal("main", info.DefaultBranch);
        var requests = h.Fake.RequestsTo("GET", h.RepoPath);
        Assert.Equal([403, 200], requests.Select(r => r.Status));
        Assert.True(
            requests[1].At >= DateTimeOffset.FromUnixTimeSeconds(reset),
            $"the retry came at {requests[1].At:O}, before the reset at {DateTimeOffset.FromUnixTimeSeconds(reset):O}");
        Assert.Contains(h.Logs.Lines, line => line.Contains("primary rate limit", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_primary_rate_limit_resetting_beyond_the_longest_wait_fails_at_once_with_RateLimited()
    {
        await using var h = await GitHubHostHarness.StartAsync();
        var reset = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds();
        h.Fake.Enqueue("GET", h.RepoPath, FakeFault.PrimaryRateLimit(reset));
        var clock = Stopwatch.StartNew();

        var ex = await Assert.ThrowsAsync<RepositoryHostException>(() => h.Host.GetRepositoryAsync(h.Reference));

        clock.Stop();
        Assert.Equal(RepositoryErrorKind.RateLimited, ex.Kind);
        Assert.True(ex.IsRetryable);
        Assert.NotNull(ex.RetryAfter);
        Assert.InRange(ex.RetryAfter.Value, TimeSpan.FromMinutes(58), TimeSpan.FromMinutes(61));
        Assert.Single(h.Fake.Requests);
        Assert.True(clock.Elapsed < h.Options.MaxRateLimitWait, $"it waited {clock.Elapsed}");
    }

    [Fact]
    public async Task A_429_with_Retry_After_is_waited_out_then_the_request_succeeds()
    {
        await using var h = await GitHubHostHarness.StartAsync();
        var pr = h.Fake.AddPullRequest(h.Repository, "agent/limited", "Limited");
        h.Fake.Enqueue("POST", $"{h.RepoPath}/issues/{pr.Number}/comments", FakeFault.SecondaryRateLimit(1));

        await h.Host.CommentAsync(h.Reference, pr.Number, "after the limit");

        var requests = h.Fake.RequestsTo("POST", $"{h.RepoPath}/issues/{pr.Number}/comments");
        Assert.Equal([429, 201], requests.Select(r => r.Status));
        Assert.True(requests[1].At - requests[0].At >= TimeSpan.FromSeconds(1), $"the retry came {requests[1].At - requests[0].At} after the 429");
        Assert.Equal(["after the limit"], pr.Comments);
    }

    [Fact]
    public async Task A_secondary_rate_limit_longer_than_the_longest_wait_is_RateLimited_with_its_Retry_After()
    {
        await using var h = await GitHubHostHarness.StartAsync();
        h.Fake.Enqueue("GET", h.RepoPath, FakeFault.SecondaryRateLimit(600, status: 403));

        var ex = await Assert.ThrowsAsync<RepositoryHostException>(() => h.Host.GetRepositoryAsync(h.Reference));

        Assert.Equal(RepositoryErrorKind.RateLimited, ex.Kind);
        Assert.Equal(TimeSpan.FromSeconds(600), ex.RetryAfter);
        Assert.Single(h.Fake.Requests);
    }

    [Fact]
    public async Task A_rate_limit_is_waited_out_only_once()
    {
        await using var h = await GitHubHostHarness.StartAsync();
        h.Fake.Enqueue("GET", h.RepoPath, FakeFault.SecondaryRateLimit(0), times: 2);

        var ex = await Assert.ThrowsAsync<RepositoryHostException>(() => h.Host.GetRepositoryAsync(h.Reference));

        Assert.Equal(RepositoryErrorKind.RateLimited, ex.Kind);
        Assert.True(ex.IsRetryable);
        Assert.Equal([429, 429], h.Fake.Requests.Select(r => r.Status));
    }

    [Fact]
    public async Task Two_503s_then_success_succeeds_after_three_requests()
    {
        await using var h = await GitHubHostHarness.StartAsync();
        h.Fake.Enqueue("GET", h.RepoPath, FakeFault.ServerError(503), times: 2);

        var info = await h.Host.GetRepositoryAsync(h.Reference);

        Assert.Equal("https://github.com/octo/widgets.git", info.CloneUrl);
        Assert.Equal([503, 503, 200], h.Fake.Requests.Select(r => r.Status));
    }

    [Fact]
    public async Task A_POST_is_retried_after_a_5xx_too()
    {
        await using var h = await GitHubHostHarness.StartAsync();
        h.Fake.Enqueue("POST", $"{h.RepoPath}/pulls", FakeFault.ServerError(502));

        var pr = await h.Host.CreateOrUpdatePullRequestAsync(h.Reference, new PullRequestSpec("agent/retry", "main", "Retried", "Body"));

        Assert.Equal([502, 201], h.Fake.RequestsTo("POST", $"{h.RepoPath}/pulls").Select(r => r.Status));
        Assert.Equal(pr.Number, Assert.Single(h.Repository.PullRequests).Number);
    }

    [Fact]
    public async Task Server_errors_beyond_MaxRetries_are_Unavailable_and_retryable()
    {
        await using var h = await GitHubHostHarness.StartAsync(options => options.MaxRetries = 2);
        h.Fake.Enqueue("GET", h.RepoPath, FakeFault.ServerError(502), times: 10);

        var ex = await Assert.ThrowsAsync<RepositoryHostException>(() => h.Host.GetRepositoryAsync(h.Reference));

        Assert.Equal(RepositoryErrorKind.Unavailable, ex.Kind);
        Assert.True(ex.IsRetryable);
        Assert.Contains("502", ex.Message, StringComparison.Ordinal);
        Assert.Equal([502, 502, 502], h.Fake.Requests.Select(r => r.Status));
    }

    [Fact]
    public async Task An_attempt_that_times_out_is_retried()
    {
        // Long enough for a request to reach the fake on a loaded machine: the count below is of requests that arrived.
        await using var h = await GitHubHostHarness.StartAsync(options => options.RequestTimeout = TimeSpan.FromSeconds(2));
        h.Fake.Enqueue("GET", h.RepoPath, FakeFault.Slow(TimeSpan.FromSeconds(30)));

        var info = await h.Host.GetRepositoryAsync(h.Reference);

        Assert.Equal("main", info.DefaultBranch);
        var requests = h.Fake.RequestsTo("GET", h.RepoPath);
        Assert.Equal(2, requests.Count);
        Assert.Equal(200, requests[1].Status);
    }

    [Fact]
    public async Task Attempts_that_all_time_out_are_Unavailable()
    {
        await using var h = await GitHubHostHarness.StartAsync(options =>
        {
            // Long enough for each request to reach the fake on a loaded machine (300 ms lost one in a CI run).
            options.RequestTimeout = TimeSpan.FromSeconds(2);
            options.MaxRetries = 1;
        });
        h.Fake.Enqueue("GET", h.RepoPath, FakeFault.Slow(TimeSpan.FromSeconds(30)), times: 2);

        var ex = await Assert.ThrowsAsync<RepositoryHostException>(() => h.Host.GetRepositoryAsync(h.Reference));

        Assert.Equal(RepositoryErrorKind.Unavailable, ex.Kind);
        Assert.Contains("timed out", ex.Message, StringComparison.Ordinal);
        Assert.Equal(2, h.Fake.RequestsTo("GET", h.RepoPath).Count);
    }

    [Fact]
    public async Task A_refused_connection_is_Unavailable_after_the_retries()
    {
        var fake = await GitHubFake.StartAsync();
        var deadUrl = fake.ApiBaseUrl.ToString();
        await fake.DisposeAsync();
        using var host = new GitHubHost(new GitHubOptions
        {
            Token = GitHubHostHarness.Token,
            ApiBaseUrl = deadUrl,
            MaxRetries = 2,
            RetryBaseDelay = TimeSpan.FromMilliseconds(10),
        });

        var ex = await Assert.ThrowsAsync<RepositoryHostException>(() => host.GetRepositoryAsync(RepositoryReference.Parse("https://github.com/octo/widgets")));

        Assert.Equal(RepositoryErrorKind.Unavailable, ex.Kind);
        Assert.True(ex.IsRetryable);
        Assert.Contains("3 attempts", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancelling_during_a_rate_limit_wait_stops_the_call()
    {
        await using var h = await GitHubHostHarness.StartAsync();
        h.Fake.Enqueue("GET", h.RepoPath, FakeFault.SecondaryRateLimit(8));
        using var cancellation = new CancellationTokenSource();
        var call = h.Host.GetRepositoryAsync(h.Reference, cancellation.Token);
        // Cancel once the rate-limited answer has arrived, i.e. while the host waits.
        await h.Fake.WhenAnsweredAsync(r => r.Status == 429, TimeSpan.FromSeconds(10));
        var clock = Stopwatch.StartNew();

        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"cancelling took {clock.Elapsed}");
        Assert.Single(h.Fake.Requests);
    }
}
