using System.Text;
using MultiAgent.Repositories;
using MultiAgent.Repositories.GitHub;
using MultiAgent.IntegrationTests.Fakes.GitHub;

namespace MultiAgent.IntegrationTests.Repositories.GitHub;

/// <summary>The token reaches GitHub and nowhere else: not logs, messages, ToString()s or URLs.</summary>
public sealed class GitHubSecretTests
{
    private const string Token = GitHubHostHarness.Token;

    private static readonly string BasicValue = Convert.ToBase64String(Encoding.UTF8.GetBytes("x-access-token:" + Token));

    [Fact]
    public async Task The_token_is_in_the_Authorization_header_GitHub_receives_and_in_no_url()
    {
        await using var h = await GitHubHostHarness.StartAsync();
        var pr = h.Fake.AddPullRequest(h.Repository, "agent/s", "S");

        await h.Host.GetRepositoryAsync(h.Reference);
        await h.Host.CommentAsync(h.Reference, pr.Number, "hello");

        Assert.Equal(2, h.Fake.Requests.Count);
        Assert.All(h.Fake.Requests, request =>
        {
            Assert.Equal($"Bearer {Token}", request.Header("Authorization"));
            Assert.DoesNotContain(Token, request.Path + request.Query, StringComparison.Ordinal);
            Assert.DoesNotContain(Token, request.Body, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task Failing_calls_never_show_the_token_even_when_GitHub_echoes_it()
    {
        await using var h = await GitHubHostHarness.StartAsync(options =>
        {
            options.MaxRetries = 1;
            options.MaxRateLimitWait = TimeSpan.FromSeconds(1);
        });
        var pr = h.Fake.AddPullRequest(h.Repository, "agent/echo", "Echo");
        var echo = $"request carried Authorization: Bearer {Token} (basic {BasicValue})";
        h.Fake.Enqueue("GET", h.RepoPath, FakeFault.Error(401, "Bad credentials: " + echo));
        h.Fake.Enqueue("GET", $"{h.RepoPath}/pulls/{pr.Number}", FakeFault.Error(404, "Not Found: " + echo));
        h.Fake.Enqueue("POST", $"{h.RepoPath}/pulls", FakeFault.Error(422, "Validation Failed", "No commits between main and agent/echo; " + echo));
        h.Fake.Enqueue("POST", $"{h.RepoPath}/issues/{pr.Number}/comments", FakeFault.Error(403, "Forbidden: " + echo));
        h.Fake.Enqueue("PUT", $"{h.RepoPath}/pulls/{pr.Number}/merge", FakeFault.Error(409, "Head branch was modified: " + echo));
        h.Fake.Enqueue("PATCH", $"{h.RepoPath}/pulls/{pr.Number}", FakeFault.Error(503, "Unavailable: " + echo), times: 2);
        h.Fake.Enqueue("GET", $"{h.RepoPath}/pulls/{pr.Number}/files", FakeFault.SecondaryRateLimit(3600) with { Body = $$"""{"message":"slow down {{echo}}"}""" });

        var failures = new List<RepositoryHostException>
        {
            await Assert.ThrowsAsync<RepositoryHostException>(() => h.Host.GetRepositoryAsync(h.Reference)),
            await Assert.ThrowsAsync<RepositoryHostException>(() => h.Host.GetPullRequestAsync(h.Reference, pr.Number)),
            await Assert.ThrowsAsync<RepositoryHostException>(() => h.Host.CreateOrUpdatePullRequestAsync(h.Reference, new PullRequestSpec("agent/other", "main", "t", "b"))),
            await Assert.ThrowsAsync<RepositoryHostException>(() => h.Host.CommentAsync(h.Reference, pr.Number, "hi")),
            await Assert.ThrowsAsync<RepositoryHostException>(() => h.Host.MergeAsync(h.Reference, pr.Number, pr.HeadSha, MergeMethod.Squash)),
            await Assert.ThrowsAsync<RepositoryHostException>(() => h.Host.ClosePullRequestAsync(h.Reference, pr.Number)),
            await Assert.ThrowsAsync<RepositoryHostException>(() => h.Host.GetDiffAsync(h.Reference, pr.Number)),
        };

        Assert.Equal(
            [
                RepositoryErrorKind.Unauthorized, RepositoryErrorKind.NotFound, RepositoryErrorKind.Validation, RepositoryErrorKind.PermissionDenied,
                RepositoryErrorKind.MergeConflict, RepositoryErrorKind.Unavailable, RepositoryErrorKind.RateLimited,
            ],
            failures.Select(f => f.Kind));
        foreach (var failure in failures)
        {
            Assert.DoesNotContain(Token, failure.ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain(BasicValue, failure.ToString(), StringComparison.Ordinal);
        }

        // The errors GitHub put in its answers still come through, with the token masked.
        Assert.All(failures.Take(5), failure => Assert.Contains("Bearer ***", failure.Message, StringComparison.Ordinal));
        Assert.Contains("No commits between main and agent/echo", failures[2].Message, StringComparison.Ordinal);
        AssertNoTokenIn(h.Logs.Lines);
    }

    [Fact]
    public async Task Log_lines_of_successes_retries_rate_limits_and_failures_never_hold_the_token()
    {
        await using var h = await GitHubHostHarness.StartAsync(options => options.MaxRetries = 1);
        var pr = h.Fake.AddPullRequest(h.Repository, "agent/logs", "Logs");
        h.Fake.Enqueue("GET", h.RepoPath, FakeFault.ServerError(503));
        h.Fake.Enqueue("GET", $"{h.RepoPath}/pulls/{pr.Number}", FakeFault.SecondaryRateLimit(0));
        h.Fake.Enqueue("PATCH", $"{h.RepoPath}/pulls/{pr.Number}", FakeFault.ServerError(500), times: 2);

        await h.Host.GetRepositoryAsync(h.Reference);
        await h.Host.GetCloneSourceAsync(h.Reference);
        await h.Host.GetPullRequestAsync(h.Reference, pr.Number);
        await h.Host.CreateOrUpdatePullRequestAsync(h.Reference, new PullRequestSpec("agent/logs-2", "main", "t", "b"));
        await Assert.ThrowsAsync<RepositoryHostException>(() => h.Host.ClosePullRequestAsync(h.Reference, pr.Number));
        await h.Host.MergeAsync(h.Reference, pr.Number, pr.HeadSha, MergeMethod.Squash);

        var lines = h.Logs.Lines;
        Assert.Contains(lines, line => line.Contains("answered 503; retry 1 of 1", StringComparison.Ordinal));
        Assert.Contains(lines, line => line.Contains("secondary rate limit", StringComparison.Ordinal));
        Assert.Contains(lines, line => line.Contains("Opened pull request", StringComparison.Ordinal));
        Assert.Contains(lines, line => line.Contains("Merged pull request", StringComparison.Ordinal));
        AssertNoTokenIn(lines);
    }

    [Fact]
    public void The_options_ToString_hides_the_token()
    {
        var options = new GitHubOptions { Token = Token, ApiBaseUrl = "https://ghe.example.com/api/v3/" };

        var text = options.ToString();

        Assert.DoesNotContain(Token, text, StringComparison.Ordinal);
        Assert.Contains("Token = (set)", text, StringComparison.Ordinal);
        Assert.Contains("https://ghe.example.com/api/v3/", text, StringComparison.Ordinal);
        Assert.Contains("Token = (not set)", new GitHubOptions().ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_clone_source_ToString_hides_the_header()
    {
        await using var h = await GitHubHostHarness.StartAsync();

        var source = await h.Host.GetCloneSourceAsync(h.Reference);

        Assert.Equal("Basic " + BasicValue, source.HttpHeaders["Authorization"]);
        Assert.DoesNotContain(Token, source.Url, StringComparison.Ordinal);
        Assert.DoesNotContain(Token, source.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(BasicValue, source.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(Token, h.Host.ToString(), StringComparison.Ordinal);
    }

    private static void AssertNoTokenIn(IReadOnlyList<string> lines)
    {
        Assert.NotEmpty(lines);
        Assert.All(lines, line =>
        {
            Assert.DoesNotContain(Token, line, StringComparison.Ordinal);
            Assert.DoesNotContain(BasicValue, line, StringComparison.Ordinal);
        });
    }
}
