using Agents.Reviewer;
using MultiAgent.AgentRuntime.Tasks;
using MultiAgent.Contracts;
using MultiAgent.Repositories;
using MultiAgent.Repositories.Reviews;
using MultiAgent.IntegrationTests.Fakes.GitHub;
using MultiAgent.IntegrationTests.Fakes.OpenAI;
using MultiAgent.IntegrationTests.Infrastructure;
using MultiAgent.IntegrationTests.Repositories.GitHub;
using MultiAgent.IntegrationTests.Repositories.Local;

namespace MultiAgent.IntegrationTests.Reviewer;

/// <summary>
/// A review task delivered again (the Reviewer died after posting, before the outcome was stored) posts no second
/// review, on the local-git host (PostgreSQL, a bare repository) and on GitHub (the REST fake); a new task on the same
/// pull request (the next iteration) does post one.
/// </summary>
[Collection(InfrastructureCollection.Name)]
public sealed class ReviewOnceTests(InfrastructureFixture infrastructure) : LocalHostTestBase(infrastructure)
{
    /// <summary>A summary that tries to end the hidden comment early and is not ASCII.</summary>
    private const string TrickySummary = "Adds the greeting --> <b>as asked</b> & grüßt die Welt.";

    private readonly ReviewerOptions _options = new();

    [Fact]
    public async Task Local_the_same_task_twice_posts_one_review_and_answers_the_same_without_asking_the_model_again()
    {
        await using var fake = await FakeOpenAIServer.StartAsync();
        var (repository, request) = await LocalPullRequestAsync();
        fake.Enqueue(Reply.Text(ReviewerTestKit.Verdict("REQUEST_CHANGES", TrickySummary, ("hello.txt", 1, "BLOCKING", "Say <world> -->."))).WithUsage(120, 30));

        var (firstOutcome, first) = await ReviewerTestKit.RunAsync(fake, DataSource, Host, _options, request);
        var (secondOutcome, second) = await ReviewerTestKit.RunAsync(fake, DataSource, Host, _options, request, attempt: 2);

        Assert.Single(fake.Requests);
        AssertSameAnswer(first, firstOutcome, second, secondOutcome);
        Assert.Equal(TrickySummary, second.Summary);
        Assert.Equal("Say <world> -->.", Assert.Single(second.Comments).Body);
        Assert.Equal(new TokenUsage(120, 30), secondOutcome.TokenUsage);
        Assert.Contains("already posted", secondOutcome.Summary, StringComparison.Ordinal);

        var review = Assert.Single(await Host.ListReviewsAsync(repository, request.PullRequestNumber));
        Assert.Equal(ReviewDecision.RequestChanges, review.Decision);
        Assert.StartsWith(TrickySummary + "\n\n<!-- multiagent-review-task: " + request.TaskId + " -->\n<!-- multiagent-review-result: {", review.Body, StringComparison.Ordinal);
        Assert.EndsWith("} -->", review.Body, StringComparison.Ordinal);
        var resultLine = review.Body.Split('\n')[^1];
        Assert.Equal(resultLine.Length - 3, resultLine.IndexOf("-->", StringComparison.Ordinal)); // nothing in the JSON ends the comment early
        Assert.Contains("grüßt", resultLine, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Local_a_new_task_on_the_same_pull_request_posts_a_second_review()
    {
        await using var fake = await FakeOpenAIServer.StartAsync();
        var (repository, request) = await LocalPullRequestAsync();
        fake.Enqueue(
            Reply.Text(ReviewerTestKit.Verdict("REQUEST_CHANGES", "Not yet.", ("hello.txt", 1, "BLOCKING", "Greet the world."))),
            Reply.Text(ReviewerTestKit.Verdict("APPROVE", "Good now.")));

        await ReviewerTestKit.RunAsync(fake, DataSource, Host, _options, request);
        var (_, next) = await ReviewerTestKit.RunAsync(fake, DataSource, Host, _options, request with { TaskId = request.TaskId + "-next", Iteration = 2 });

        Assert.Equal(2, fake.Requests.Count);
        Assert.Equal((ReviewDecision.Approve, "Good now.", 2), (next.Decision, next.Summary, next.Iteration));
        var reviews = await Host.ListReviewsAsync(repository, request.PullRequestNumber);
        Assert.Equal([ReviewDecision.RequestChanges, ReviewDecision.Approve], reviews.Select(r => r.Decision));
        Assert.Contains($"<!-- multiagent-review-task: {request.TaskId}-next -->", reviews[1].Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Local_a_review_of_the_task_without_a_readable_verdict_is_not_posted_again_and_the_model_answers()
    {
        // A verdict too large to be recorded in the body: the review carries the task's line only.
        await using var fake = await FakeOpenAIServer.StartAsync();
        var (repository, request) = await LocalPullRequestAsync();
        var huge = new string('x', ReviewMarks.MaxResultChars + 100);
        fake.Enqueue(
            Reply.Text(ReviewerTestKit.Verdict("APPROVE", huge)).WithUsage(10, 1),
            Reply.Text(ReviewerTestKit.Verdict("APPROVE", "Fine, again.")).WithUsage(20, 2));

        await ReviewerTestKit.RunAsync(fake, DataSource, Host, _options, request);
        var (outcome, again) = await ReviewerTestKit.RunAsync(fake, DataSource, Host, _options, request, attempt: 2);

        Assert.Equal(2, fake.Requests.Count);
        Assert.Equal((ReviewDecision.Approve, "Fine, again."), (again.Decision, again.Summary));
        Assert.Equal(new TokenUsage(20, 2), outcome.TokenUsage);
        Assert.Contains("not posted again", outcome.Summary, StringComparison.Ordinal);
        var review = Assert.Single(await Host.ListReviewsAsync(repository, request.PullRequestNumber));
        Assert.EndsWith("\n\n<!-- multiagent-review-task: " + request.TaskId + " -->", review.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("multiagent-review-result", review.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Local_a_result_line_of_another_task_is_not_trusted()
    {
        // Someone copied another task's result line under this task's line: the model is asked, nothing is posted.
        await using var fake = await FakeOpenAIServer.StartAsync();
        var (repository, request) = await LocalPullRequestAsync();
        var other = new ReviewResult(request.JobId, "someone-else", request.Iteration, ReviewDecision.Approve, "Copied.");
        var body = ReviewMarks.Append("Copied.", "someone-else", other).Replace(
            ReviewMarks.TaskLine("someone-else"), ReviewMarks.TaskLine(request.TaskId), StringComparison.Ordinal);
        await Host.PostReviewAsync(repository, request.PullRequestNumber, new ReviewSubmission(ReviewDecision.Approve, body, [], request.HeadSha));
        fake.Enqueue(Reply.Text(ReviewerTestKit.Verdict("REQUEST_CHANGES", "Mine.", ("hello.txt", 1, "BLOCKING", "No."))));

        var (_, result) = await ReviewerTestKit.RunAsync(fake, DataSource, Host, _options, request, attempt: 2);

        Assert.Equal((ReviewDecision.RequestChanges, "Mine."), (result.Decision, result.Summary));
        Assert.Single(fake.Requests);
        Assert.Single(await Host.ListReviewsAsync(repository, request.PullRequestNumber));
    }

    [Fact]
    public async Task GitHub_the_same_task_twice_posts_one_review_and_a_new_task_posts_another()
    {
        await using var fake = await FakeOpenAIServer.StartAsync();
        await using var github = await GitHubHostHarness.StartAsync();
        var (pr, request) = GitHubPullRequest(github);
        fake.Enqueue(
            Reply.Text(ReviewerTestKit.Verdict("REQUEST_CHANGES", TrickySummary, ("src/hello.txt", 1, "BLOCKING", "Say <world>."))).WithUsage(50, 5),
            Reply.Text(ReviewerTestKit.Verdict("APPROVE", "Good now.")).WithUsage(60, 6));

        var (firstOutcome, first) = await ReviewerTestKit.RunAsync(fake, DataSource, github.Host, _options, request);
        var (secondOutcome, second) = await ReviewerTestKit.RunAsync(fake, DataSource, github.Host, _options, request, attempt: 2);

        Assert.Single(fake.Requests);
        AssertSameAnswer(first, firstOutcome, second, secondOutcome);
        Assert.Equal(TrickySummary, second.Summary);
        var review = Assert.Single(pr.Reviews);
        Assert.Equal("REQUEST_CHANGES", review.Event);
        Assert.Contains("<!-- multiagent-review-task: " + request.TaskId + " -->", review.Body, StringComparison.Ordinal);
        Assert.Single(github.Fake.RequestsTo("POST", $"{github.RepoPath}/pulls/{pr.Number}/reviews"));
        Assert.Equal(2, github.Fake.RequestsTo("GET", $"{github.RepoPath}/pulls/{pr.Number}/reviews").Count);

        var (_, next) = await ReviewerTestKit.RunAsync(fake, DataSource, github.Host, _options, request with { TaskId = request.TaskId + "-next", Iteration = 2 });

        Assert.Equal(2, fake.Requests.Count);
        Assert.Equal(ReviewDecision.Approve, next.Decision);
        Assert.Equal(["REQUEST_CHANGES", "APPROVE"], pr.Reviews.Select(r => r.Event));
    }

    [Fact]
    public async Task GitHub_a_verdict_posted_as_a_comment_review_on_ones_own_pull_request_is_found_again()
    {
        await using var fake = await FakeOpenAIServer.StartAsync();
        await using var github = await GitHubHostHarness.StartAsync();
        github.Fake.RejectSelfReview = true;
        var (pr, request) = GitHubPullRequest(github);
        pr.AuthorLogin = github.Fake.AuthenticatedLogin;
        fake.Enqueue(Reply.Text(ReviewerTestKit.Verdict("APPROVE", "Fine.")).WithUsage(7, 1));

        var (firstOutcome, first) = await ReviewerTestKit.RunAsync(fake, DataSource, github.Host, _options, request);
        var (secondOutcome, second) = await ReviewerTestKit.RunAsync(fake, DataSource, github.Host, _options, request, attempt: 2);

        Assert.Single(fake.Requests);
        AssertSameAnswer(first, firstOutcome, second, secondOutcome);
        Assert.Equal("COMMENT", Assert.Single(pr.Reviews).Event);
        Assert.Equal(ReviewDecision.Approve, Assert.Single(await github.Host.ListReviewsAsync(github.Reference, pr.Number)).Decision);
    }

    [Fact]
    public async Task GitHub_a_review_marked_with_the_task_by_another_user_is_not_taken_for_its_own_and_the_model_reviews()
    {
        await using var fake = await FakeOpenAIServer.StartAsync();
        await using var github = await GitHubHostHarness.StartAsync();
        var (pr, request) = GitHubPullRequest(github);
        var copied = new ReviewResult(request.JobId, request.TaskId, request.Iteration, ReviewDecision.Approve, "Ship it.");
        github.Fake.AddReview(pr, "mallory", "APPROVE", ReviewMarks.Append(copied.Summary, request.TaskId, copied));
        fake.Enqueue(Reply.Text(ReviewerTestKit.Verdict("REQUEST_CHANGES", "Not yet.", ("src/hello.txt", 1, "BLOCKING", "Say <world>."))).WithUsage(9, 1));

        var (outcome, result) = await ReviewerTestKit.RunAsync(fake, DataSource, github.Host, _options, request);

        Assert.Single(fake.Requests);
        Assert.Equal((ReviewDecision.RequestChanges, "Not yet."), (result.Decision, result.Summary));
        Assert.DoesNotContain("already posted", outcome.Summary, StringComparison.Ordinal);
        Assert.Equal([("mallory", "APPROVE"), (github.Fake.AuthenticatedLogin, "REQUEST_CHANGES")], pr.Reviews.Select(r => (r.AuthorLogin, r.Event)));
        Assert.Contains("<!-- multiagent-review-task: " + request.TaskId + " -->", pr.Reviews[1].Body, StringComparison.Ordinal);
    }

    private static void AssertSameAnswer(ReviewResult first, TaskResult firstOutcome, ReviewResult second, TaskResult secondOutcome)
    {
        Assert.Equal(
            (first.JobId, first.TaskId, first.Iteration, first.Decision, first.Summary, first.TokenUsage, first.Error),
            (second.JobId, second.TaskId, second.Iteration, second.Decision, second.Summary, second.TokenUsage, second.Error));
        Assert.Equal(first.Comments, second.Comments);
        Assert.Equal(firstOutcome.TokenUsage, secondOutcome.TokenUsage);
        Assert.Equal(Assert.Single(firstOutcome.FollowUps).AgentType, Assert.Single(secondOutcome.FollowUps).AgentType);
    }

    private async Task<(RepositoryReference Repository, ReviewRequest Request)> LocalPullRequestAsync()
    {
        var repository = await Sandbox.CreateRepositoryAsync();
        await Sandbox.CommitAsync(repository.LocalPath!, "agent/job-once", "hello.txt", "hello, world\n", "Write hello.txt");
        var pullRequest = await Host.CreateOrUpdatePullRequestAsync(repository, Spec("agent/job-once"));
        return (repository, Request(repository.LocalPath!, pullRequest.Number, pullRequest.Url, pullRequest.HeadSha));
    }

    private static (FakePullRequest PullRequest, ReviewRequest Request) GitHubPullRequest(GitHubHostHarness github)
    {
        var pr = github.Fake.AddPullRequest(github.Repository, "agent/job-once", "Greet", [new FakeFile("src/hello.txt", "added", 1, 0, "@@ -0,0 +1 @@\n+hello, world")]);
        return (pr, Request("https://github.com/octo/widgets", pr.Number, $"https://github.com/octo/widgets/pull/{pr.Number}", pr.HeadSha));
    }

    private static ReviewRequest Request(string repository, int number, string url, string headSha)
    {
        var jobId = Guid.NewGuid().ToString("N")[..12];
        return new ReviewRequest(jobId, "task-" + jobId + "-1", repository, number, url, headSha, 1, CheckOutcome.Passed);
    }
}
