using System.Text;
using MultiAgent.Contracts;
using MultiAgent.Repositories;
using MultiAgent.IntegrationTests.Fakes.GitHub;

namespace MultiAgent.IntegrationTests.Repositories.GitHub;

/// <summary>The GitHub host's operations against the REST fake, and what Octokit really sent.</summary>
public sealed class GitHubHostTests
{
    [Fact]
    public async Task GetRepository_reports_default_branch_clone_url_and_web_url()
    {
        await using var h = await GitHubHostHarness.StartAsync();
        h.Repository.DefaultBranch = "trunk";

        var info = await h.Host.GetRepositoryAsync(h.Reference);

        Assert.Equal(h.Reference, info.Reference);
        Assert.Equal("trunk", info.DefaultBranch);
        Assert.Equal("https://github.com/octo/widgets.git", info.CloneUrl);
        Assert.Equal("https://github.com/octo/widgets", info.WebUrl);
        var request = Assert.Single(h.Fake.Requests);
        Assert.Equal(("GET", "/repos/octo/widgets"), (request.Method, request.Path));
    }

    [Fact]
    public async Task GetRepository_builds_the_clone_url_from_the_reference_when_the_api_gives_none()
    {
        await using var h = await GitHubHostHarness.StartAsync();
        h.Repository.CloneUrl = string.Empty;

        var info = await h.Host.GetRepositoryAsync(h.Reference);

        Assert.Equal("https://github.com/octo/widgets.git", info.CloneUrl);
    }

    [Fact]
    public async Task GetCloneSource_gives_the_clone_url_and_an_x_access_token_basic_header()
    {
        await using var h = await GitHubHostHarness.StartAsync();

        var source = await h.Host.GetCloneSourceAsync(h.Reference);

        Assert.Equal("https://github.com/octo/widgets.git", source.Url);
        var expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("x-access-token:" + GitHubHostHarness.Token));
        Assert.Equal(expected, source.HttpHeaders["Authorization"]);
        Assert.DoesNotContain(GitHubHostHarness.Token, source.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(expected, source.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateOrUpdate_creates_once_and_then_updates_the_open_pull_request_of_the_same_head()
    {
        await using var h = await GitHubHostHarness.StartAsync();

        var created = await h.Host.CreateOrUpdatePullRequestAsync(h.Reference, new PullRequestSpec("agent/job-1", "main", "Add widgets", "First body"));
        var updated = await h.Host.CreateOrUpdatePullRequestAsync(h.Reference, new PullRequestSpec("agent/job-1", "main", "Add widgets (iteration 2)", "Second body"));

        Assert.Equal(created.Number, updated.Number);
        Assert.Equal("Add widgets", created.Title);
        Assert.Equal("Add widgets (iteration 2)", updated.Title);
        Assert.Equal(PullRequestState.Open, updated.State);
        Assert.Equal(("agent/job-1", "main"), (updated.HeadBranch, updated.BaseBranch));
        Assert.Equal(h.Repository.Branches["agent/job-1"], updated.HeadSha);
        Assert.Equal($"https://github.com/octo/widgets/pull/{created.Number}", updated.Url);

        var posts = h.Fake.RequestsTo("POST", $"{h.RepoPath}/pulls");
        var post = Assert.Single(posts);
        var sent = post.Json();
        Assert.Equal(("agent/job-1", "main", "Add widgets", "First body"),
            (sent.GetProperty("head").GetString(), sent.GetProperty("base").GetString(), sent.GetProperty("title").GetString(), sent.GetProperty("body").GetString()));

        var patch = Assert.Single(h.Fake.RequestsTo("PATCH", $"{h.RepoPath}/pulls/{created.Number}"));
        Assert.Equal("Add widgets (iteration 2)", patch.Json().GetProperty("title").GetString());
        Assert.Equal("Second body", patch.Json().GetProperty("body").GetString());

        var lookups = h.Fake.RequestsTo("GET", $"{h.RepoPath}/pulls");
        Assert.Equal(2, lookups.Count);
        Assert.All(lookups, lookup =>
        {
            Assert.Contains("head=octo%3Aagent%2Fjob-1", lookup.Query, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("state=open", lookup.Query, StringComparison.Ordinal);
        });

        var pr = Assert.Single(h.Repository.PullRequests);
        Assert.Equal(("Add widgets (iteration 2)", "Second body"), (pr.Title, pr.Body));
    }

    [Fact]
    public async Task CreateOrUpdate_updates_the_pull_request_an_earlier_attempt_created_when_create_says_it_already_exists()
    {
        await using var h = await GitHubHostHarness.StartAsync();
        var existing = h.Fake.AddPullRequest(h.Repository, "agent/job-2", "Old title");
        // The lookup misses it (as when the answer to an earlier create was lost and the list lags behind).
        h.Fake.Enqueue("GET", $"{h.RepoPath}/pulls", new FakeFault(200, Body: "[]"));

        var result = await h.Host.CreateOrUpdatePullRequestAsync(h.Reference, new PullRequestSpec("agent/job-2", "main", "New title", "Body"));

        Assert.Equal(existing.Number, result.Number);
        Assert.Equal("New title", existing.Title);
        Assert.Equal(422, Assert.Single(h.Fake.RequestsTo("POST", $"{h.RepoPath}/pulls")).Status);
        Assert.Single(h.Repository.PullRequests);
    }

    [Fact]
    public async Task GetPullRequest_maps_number_state_branches_and_head()
    {
        await using var h = await GitHubHostHarness.StartAsync();
        var pr = h.Fake.AddPullRequest(h.Repository, "agent/job-3", "Title 3");

        var info = await h.Host.GetPullRequestAsync(h.Reference, pr.Number);

        Assert.Equal(new PullRequestInfo(pr.Number, $"https://github.com/octo/widgets/pull/{pr.Number}", PullRequestState.Open, "agent/job-3", "main", pr.HeadSha, "Title 3"), info);
    }

    [Fact]
    public async Task GetDiff_reads_files_over_two_pages_and_assembles_a_unified_diff()
    {
        await using var h = await GitHubHostHarness.StartAsync();
        h.Fake.FilesPageSize = 3;
        var pr = h.Fake.AddPullRequest(h.Repository, "agent/job-4", "Five files",
        [
            new FakeFile("src/a.cs", "modified", 1, 1, "@@ -1,2 +1,2 @@\n-old\n+new\n ctx"),
            new FakeFile("src/b.cs", "added", 2, 0, "@@ -0,0 +1,2 @@\n+one\n+two"),
            new FakeFile("src/c.cs", "removed", 0, 1, "@@ -1 +0,0 @@\n-gone"),
            new FakeFile("src/d2.cs", "renamed", 1, 1, "@@ -1 +1 @@\n-x\n+y", PreviousFilename: "src/d.cs"),
            new FakeFile("img/logo.png", "added", 0, 0, null),
        ]);

        var diff = await h.Host.GetDiffAsync(h.Reference, pr.Number);

        Assert.Equal(2, h.Fake.RequestsTo("GET", $"{h.RepoPath}/pulls/{pr.Number}/files").Count);
        Assert.Equal((pr.Number, pr.HeadSha, pr.BaseSha), (diff.Number, diff.HeadSha, diff.BaseSha));
        Assert.Equal(["src/a.cs", "src/b.cs", "src/c.cs", "src/d2.cs", "img/logo.png"], diff.Files.Select(f => f.Path));
        Assert.Equal(
            [FileChangeStatus.Modified, FileChangeStatus.Added, FileChangeStatus.Removed, FileChangeStatus.Renamed, FileChangeStatus.Added],
            diff.Files.Select(f => f.Status));
        Assert.Equal("src/d.cs", diff.Files[3].PreviousPath);
        Assert.Equal((2, 0), (diff.Files[1].Additions, diff.Files[1].Deletions));
        Assert.Equal("@@ -0,0 +1,2 @@\n+one\n+two", diff.Files[1].Patch);
        Assert.Equal(string.Empty, diff.Files[4].Patch);

        var expected =
            "diff --git a/src/a.cs b/src/a.cs\n--- a/src/a.cs\n+++ b/src/a.cs\n@@ -1,2 +1,2 @@\n-old\n+new\n ctx\n" +
            "diff --git a/src/b.cs b/src/b.cs\nnew file mode 100644\n--- /dev/null\n+++ b/src/b.cs\n@@ -0,0 +1,2 @@\n+one\n+two\n" +
            "diff --git a/src/c.cs b/src/c.cs\ndeleted file mode 100644\n--- a/src/c.cs\n+++ /dev/null\n@@ -1 +0,0 @@\n-gone\n" +
            "diff --git a/src/d.cs b/src/d2.cs\nrename from src/d.cs\nrename to src/d2.cs\n--- a/src/d.cs\n+++ b/src/d2.cs\n@@ -1 +1 @@\n-x\n+y\n" +
            "diff --git a/img/logo.png b/img/logo.png\nnew file mode 100644\nBinary files /dev/null and b/img/logo.png differ\n";
        Assert.Equal(expected, diff.UnifiedDiff);
    }

    [Fact]
    public async Task PostReview_approve_sends_the_event_summary_and_line_comments()
    {
        await using var h = await GitHubHostHarness.StartAsync();
        var pr = h.Fake.AddPullRequest(h.Repository, "agent/job-5", "Review me", [new FakeFile("src/a.cs", "modified", 3, 0, "@@ -10,2 +10,5 @@\n ctx\n+a\n+b\n+c\n ctx")]);

        await h.Host.PostReviewAsync(h.Reference, pr.Number, new ReviewSubmission(
            ReviewDecision.Approve,
            "Looks good.",
            [
                new ReviewComment("src/a.cs", ReviewCommentSeverity.Suggestion, "Consider a constant.", 12),
                new ReviewComment("", ReviewCommentSeverity.Info, "Nice tests overall."),
                new ReviewComment("README.md", ReviewCommentSeverity.Info, "Mention the flag."),
            ],
            pr.HeadSha));

        var sent = Assert.Single(h.Fake.RequestsTo("POST", $"{h.RepoPath}/pulls/{pr.Number}/reviews")).Json();
        Assert.Equal("APPROVE", sent.GetProperty("event").GetString());
        Assert.Equal(pr.HeadSha, sent.GetProperty("commit_id").GetString());
        var body = sent.GetProperty("body").GetString()!;
        Assert.StartsWith("Looks good.", body, StringComparison.Ordinal);
        Assert.Contains("Nice tests overall.", body, StringComparison.Ordinal);
        Assert.Contains("`README.md`: Mention the flag.", body, StringComparison.Ordinal);
        var comment = Assert.Single(sent.GetProperty("comments").EnumerateArray());
        Assert.Equal("src/a.cs", comment.GetProperty("path").GetString());
        Assert.Equal(12, comment.GetProperty("line").GetInt32());
        Assert.Equal("RIGHT", comment.GetProperty("side").GetString());
        Assert.Contains("Consider a constant.", comment.GetProperty("body").GetString(), StringComparison.Ordinal);
        Assert.Contains("suggestion", comment.GetProperty("body").GetString(), StringComparison.OrdinalIgnoreCase);

        var review = Assert.Single(pr.Reviews);
        Assert.Equal("APPROVE", review.Event);
    }

    [Fact]
    public async Task PostReview_request_changes_sends_blocking_line_comments()
    {
        await using var h = await GitHubHostHarness.StartAsync();
        var pr = h.Fake.AddPullRequest(h.Repository, "agent/job-6", "Review me", [new FakeFile("src/b.cs", "added", 4, 0, "@@ -0,0 +1,4 @@\n+1\n+2\n+3\n+4")]);

        await h.Host.PostReviewAsync(h.Reference, pr.Number, new ReviewSubmission(
            ReviewDecision.RequestChanges,
            "Two problems.",
            [
                new ReviewComment("src/b.cs", ReviewCommentSeverity.Blocking, "Null check missing.", 2),
                new ReviewComment("src/b.cs", ReviewCommentSeverity.Blocking, "Off by one.", 4),
            ],
            pr.HeadSha));

        var sent = Assert.Single(h.Fake.RequestsTo("POST", $"{h.RepoPath}/pulls/{pr.Number}/reviews")).Json();
        Assert.Equal("REQUEST_CHANGES", sent.GetProperty("event").GetString());
        Assert.Equal("Two problems.", sent.GetProperty("body").GetString());
        var comments = sent.GetProperty("comments").EnumerateArray().ToArray();
        Assert.Equal([2, 4], comments.Select(c => c.GetProperty("line").GetInt32()));
        Assert.All(comments, c => Assert.Equal("src/b.cs", c.GetProperty("path").GetString()));
        Assert.Contains("Off by one.", comments[1].GetProperty("body").GetString(), StringComparison.Ordinal);
        Assert.Contains("blocking", comments[1].GetProperty("body").GetString(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal("REQUEST_CHANGES", Assert.Single(pr.Reviews).Event);
    }

    [Fact]
    public async Task PostReview_on_ones_own_pull_request_records_the_verdict_as_a_comment_review()
    {
        await using var h = await GitHubHostHarness.StartAsync();
        h.Fake.RejectSelfReview = true;
        var pr = await h.Host.CreateOrUpdatePullRequestAsync(h.Reference, new PullRequestSpec("agent/job-7", "main", "Mine", "Body"));

        await h.Host.PostReviewAsync(h.Reference, pr.Number, new ReviewSubmission(ReviewDecision.Approve, "Fine.", [], pr.HeadSha));

        var posts = h.Fake.RequestsTo("POST", $"{h.RepoPath}/pulls/{pr.Number}/reviews");
        Assert.Equal([422, 200], posts.Select(p => p.Status));
        Assert.Equal("APPROVE", posts[0].Json().GetProperty("event").GetString());
        var fallback = posts[1].Json();
        Assert.Equal("COMMENT", fallback.GetProperty("event").GetString());
        Assert.Contains("Verdict: approve", fallback.GetProperty("body").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PostReview_moves_comments_on_lines_outside_the_diff_into_the_body()
    {
        await using var h = await GitHubHostHarness.StartAsync();
        var pr = h.Fake.AddPullRequest(h.Repository, "agent/job-8", "Review me", [new FakeFile("src/a.cs", "modified", 1, 0, "@@ -1,1 +1,2 @@\n ctx\n+new")]);

        await h.Host.PostReviewAsync(h.Reference, pr.Number, new ReviewSubmission(
            ReviewDecision.RequestChanges, "See below.", [new ReviewComment("src/a.cs", ReviewCommentSeverity.Blocking, "Line 40 is wrong.", 40)], pr.HeadSha));

        var posts = h.Fake.RequestsTo("POST", $"{h.RepoPath}/pulls/{pr.Number}/reviews");
        Assert.Equal([422, 200], posts.Select(p => p.Status));
        var second = posts[1].Json();
        Assert.False(second.TryGetProperty("comments", out _));
        Assert.Contains("`src/a.cs:40`: Line 40 is wrong.", second.GetProperty("body").GetString(), StringComparison.Ordinal);
        Assert.Equal("REQUEST_CHANGES", second.GetProperty("event").GetString());
    }

    [Fact]
    public async Task Merge_sends_the_expected_head_sha_and_the_merge_method()
    {
        await using var h = await GitHubHostHarness.StartAsync();
        var pr = h.Fake.AddPullRequest(h.Repository, "agent/job-9", "Merge me");

        var result = await h.Host.MergeAsync(h.Reference, pr.Number, pr.HeadSha, MergeMethod.Squash);

        var sent = Assert.Single(h.Fake.RequestsTo("PUT", $"{h.RepoPath}/pulls/{pr.Number}/merge")).Json();
        Assert.Equal(pr.HeadSha, sent.GetProperty("sha").GetString());
        Assert.Equal("squash", sent.GetProperty("merge_method").GetString());
        Assert.Equal(new MergeResult(pr.Number, pr.MergeCommitSha!, MergeMethod.Squash), result);
        Assert.True(pr.Merged);

        var info = await h.Host.GetPullRequestAsync(h.Reference, pr.Number);
        Assert.Equal(PullRequestState.Merged, info.State);
        Assert.Equal(pr.MergeCommitSha, info.MergeCommitSha);
    }

    [Fact]
    public async Task Merge_with_the_merge_method_sends_merge()
    {
        await using var h = await GitHubHostHarness.StartAsync();
        var pr = h.Fake.AddPullRequest(h.Repository, "agent/job-10", "Merge me");

        var result = await h.Host.MergeAsync(h.Reference, pr.Number, pr.HeadSha, MergeMethod.Merge);

        Assert.Equal("merge", Assert.Single(h.Fake.RequestsTo("PUT", $"{h.RepoPath}/pulls/{pr.Number}/merge")).Json().GetProperty("merge_method").GetString());
        Assert.Equal(MergeMethod.Merge, result.Method);
        Assert.Equal("merge", pr.MergeMethod);
    }

    [Fact]
    public async Task Merge_of_a_pull_request_already_merged_at_that_head_reports_the_merge()
    {
        await using var h = await GitHubHostHarness.StartAsync();
        var pr = h.Fake.AddPullRequest(h.Repository, "agent/job-11", "Merge me");
        var first = await h.Host.MergeAsync(h.Reference, pr.Number, pr.HeadSha, MergeMethod.Squash);

        var again = await h.Host.MergeAsync(h.Reference, pr.Number, pr.HeadSha, MergeMethod.Squash);

        Assert.Equal(first, again);
        Assert.Equal([200, 405], h.Fake.RequestsTo("PUT", $"{h.RepoPath}/pulls/{pr.Number}/merge").Select(r => r.Status));
    }

    [Fact]
    public async Task Close_sets_the_state_to_closed()
    {
        await using var h = await GitHubHostHarness.StartAsync();
        var pr = h.Fake.AddPullRequest(h.Repository, "agent/job-12", "Close me");

        await h.Host.ClosePullRequestAsync(h.Reference, pr.Number);

        var patch = Assert.Single(h.Fake.RequestsTo("PATCH", $"{h.RepoPath}/pulls/{pr.Number}"));
        Assert.Equal("closed", patch.Json().GetProperty("state").GetString());
        Assert.Equal("closed", pr.State);
        Assert.Equal(PullRequestState.Closed, (await h.Host.GetPullRequestAsync(h.Reference, pr.Number)).State);
    }

    [Fact]
    public async Task Comment_posts_an_issue_comment()
    {
        await using var h = await GitHubHostHarness.StartAsync();
        var pr = h.Fake.AddPullRequest(h.Repository, "agent/job-13", "Comment on me");

        await h.Host.CommentAsync(h.Reference, pr.Number, "Iteration 2 pushed.");

        var post = Assert.Single(h.Fake.RequestsTo("POST", $"{h.RepoPath}/issues/{pr.Number}/comments"));
        Assert.Equal("Iteration 2 pushed.", post.Json().GetProperty("body").GetString());
        Assert.Equal(["Iteration 2 pushed."], pr.Comments);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_GitHub_Enterprise_base_url_is_honoured(bool trailingSlash)
    {
        await using var h = await GitHubHostHarness.StartAsync(
            options => options.ApiBaseUrl = trailingSlash ? options.ApiBaseUrl : options.ApiBaseUrl.TrimEnd('/'),
            basePath: "/api/v3",
            webHost: "ghe.example.com");

        var info = await h.Host.GetRepositoryAsync(h.Reference);
        var pr = await h.Host.CreateOrUpdatePullRequestAsync(h.Reference, new PullRequestSpec("agent/ghe", "main", "On GHE", "Body"));
        await h.Host.CommentAsync(h.Reference, pr.Number, "Hello from the enterprise.");
        var clone = await h.Host.GetCloneSourceAsync(h.Reference);

        Assert.Equal("ghe.example.com/octo/widgets", h.Reference.Key);
        Assert.Equal("https://ghe.example.com/octo/widgets.git", info.CloneUrl);
        Assert.Equal("https://ghe.example.com/octo/widgets.git", clone.Url);
        Assert.Equal($"https://ghe.example.com/octo/widgets/pull/{pr.Number}", pr.Url);
        Assert.NotEmpty(h.Fake.Requests);
        Assert.All(h.Fake.Requests, r =>
        {
            Assert.StartsWith("/api/v3/repos/octo/widgets", r.Path, StringComparison.Ordinal);
            Assert.InRange(r.Status, 200, 299);
        });
    }

    [Fact]
    public async Task The_token_is_sent_as_a_bearer_authorization_header_with_a_user_agent()
    {
        await using var h = await GitHubHostHarness.StartAsync();

        await h.Host.GetRepositoryAsync(h.Reference);

        var request = Assert.Single(h.Fake.Requests);
        Assert.Equal($"Bearer {GitHubHostHarness.Token}", request.Header("Authorization"));
        Assert.StartsWith("MultiAgent/", request.Header("User-Agent"), StringComparison.Ordinal);
    }
}
