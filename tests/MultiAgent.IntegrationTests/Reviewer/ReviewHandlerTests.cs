using Agents.Reviewer;
using Agents.Reviewer.Review;
using MultiAgent.AgentRuntime.Tasks;
using MultiAgent.Contracts;
using MultiAgent.Repositories;
using MultiAgent.IntegrationTests.Fakes.OpenAI;
using MultiAgent.IntegrationTests.Infrastructure;
using MultiAgent.IntegrationTests.Repositories.Local;

namespace MultiAgent.IntegrationTests.Reviewer;

/// <summary>
/// The Reviewer's handler end to end: the LLM layer's session against the OpenAI fake, a bare repository with a pull
/// request on the local-git host (pull requests and reviews in the fixture's PostgreSQL).
/// </summary>
[Collection(InfrastructureCollection.Name)]
public sealed class ReviewHandlerTests(InfrastructureFixture infrastructure) : LocalHostTestBase(infrastructure)
{
    private const string Branch = "agent/job-review";
    private readonly ReviewerOptions _options = new();

    [Fact]
    public async Task An_approval_is_posted_on_the_pull_request_and_answered_with_a_review_result()
    {
        await using var fake = await FakeOpenAIServer.StartAsync();
        var (repository, request) = await PullRequestAsync(("hello.txt", "hello, world\n"));
        fake.Enqueue(Reply.Text(ReviewerTestKit.Verdict("APPROVE", "Adds the greeting as asked.", ("hello.txt", 1, "INFO", "Nice and small."))).WithUsage(120, 30));

        var (outcome, result) = await RunAsync(fake, request);

        Assert.Equal(ReviewDecision.Approve, result.Decision);
        Assert.Equal("Adds the greeting as asked.", result.Summary);
        Assert.Equal([new ReviewComment("hello.txt", ReviewCommentSeverity.Info, "Nice and small.", 1)], result.Comments);
        Assert.Equal(new TokenUsage(120, 30), result.TokenUsage);
        Assert.Equal(new TokenUsage(120, 30), outcome.TokenUsage);
        Assert.Equal((request.JobId, request.TaskId, request.Iteration), (result.JobId, result.TaskId, result.Iteration));
        Assert.Equal(AgentType.RepoManager, Assert.Single(outcome.FollowUps).AgentType);

        var review = Assert.Single(await Store.ListReviewsAsync(repository.Key, request.PullRequestNumber));
        Assert.Equal(ReviewDecision.Approve, review.Decision);
        Assert.StartsWith("Adds the greeting as asked.\n\n<!-- multiagent-review-task: " + request.TaskId + " -->\n", review.Summary, StringComparison.Ordinal);
        Assert.Equal(request.HeadSha, review.CommitSha);
        Assert.Equal(result.Comments, review.Comments);

        // The model was sent the diff and asked for the JSON schema.
        var sent = Assert.Single(fake.Requests);
        Assert.Contains("+hello, world", sent.Body, StringComparison.Ordinal);
        Assert.Equal("json_schema", sent.Json.GetProperty("response_format").GetProperty("type").GetString());
    }

    [Fact]
    public async Task A_blocking_comment_turns_an_approval_into_a_request_for_changes()
    {
        await using var fake = await FakeOpenAIServer.StartAsync();
        var (repository, request) = await PullRequestAsync(("hello.txt", "hello\n"));
        fake.Enqueue(Reply.Text(ReviewerTestKit.Verdict("APPROVE", "Mostly fine.", ("hello.txt", 1, "BLOCKING", "It must greet the world."))));

        var (_, result) = await RunAsync(fake, request);

        Assert.Equal(ReviewDecision.RequestChanges, result.Decision);
        Assert.Equal(ReviewCommentSeverity.Blocking, Assert.Single(result.Comments).Severity);
        Assert.Equal(ReviewDecision.RequestChanges, Assert.Single(await Store.ListReviewsAsync(repository.Key, request.PullRequestNumber)).Decision);
    }

    [Fact]
    public async Task A_failed_check_is_never_approved_and_the_review_says_why()
    {
        await using var fake = await FakeOpenAIServer.StartAsync();
        var (repository, request) = await PullRequestAsync(("hello.txt", "hello, world\n"));
        fake.Enqueue(Reply.Text(ReviewerTestKit.Verdict("APPROVE", "Looks good.")));

        var (_, result) = await RunAsync(fake, request with { Check = CheckOutcome.Failed });

        Assert.Equal(ReviewDecision.RequestChanges, result.Decision);
        var comment = Assert.Single(result.Comments);
        Assert.Equal(ReviewCommentSeverity.Blocking, comment.Severity);
        Assert.Contains("check", comment.Body, StringComparison.Ordinal);
        Assert.Contains("failed", comment.Body, StringComparison.Ordinal);
        var review = Assert.Single(await Store.ListReviewsAsync(repository.Key, request.PullRequestNumber));
        Assert.Equal(ReviewDecision.RequestChanges, review.Decision);
        Assert.Contains("The build/test check: FAILED.", Assert.Single(fake.Requests).Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invalid_json_is_sent_back_once_and_a_valid_repair_succeeds()
    {
        await using var fake = await FakeOpenAIServer.StartAsync();
        var (repository, request) = await PullRequestAsync(("hello.txt", "hello, world\n"));
        fake.Enqueue(
            Reply.Text("Sure! Here is my review: it looks fine.").WithUsage(100, 10),
            Reply.Text("```json\n" + ReviewerTestKit.Verdict("APPROVE", "Fine.") + "\n```").WithUsage(150, 20));

        var (_, result) = await RunAsync(fake, request);

        Assert.Equal(ReviewDecision.Approve, result.Decision);
        Assert.Equal("Fine.", result.Summary);
        Assert.Equal(new TokenUsage(250, 30), result.TokenUsage);
        Assert.Equal(2, fake.Requests.Count);
        var repair = fake.Requests[1].Json.GetProperty("messages").EnumerateArray().Last();
        Assert.Equal("user", repair.GetProperty("role").GetString());
        Assert.Contains("Your reply was not valid", repair.GetRawText(), StringComparison.Ordinal);
        Assert.Single(await Store.ListReviewsAsync(repository.Key, request.PullRequestNumber));
    }

    [Fact]
    public async Task Invalid_json_twice_fails_the_task_without_retry_and_posts_nothing()
    {
        await using var fake = await FakeOpenAIServer.StartAsync();
        var (repository, request) = await PullRequestAsync(("hello.txt", "hello, world\n"));
        fake.Enqueue(
            Reply.Text("not json"),
            Reply.Text("""{"decision":"MAYBE","summary":"?","comments":[]}"""));

        var error = await Assert.ThrowsAsync<NonRetryableTaskException>(() => RunAsync(fake, request));

        Assert.StartsWith("the model's review was not valid JSON: ", error.Message, StringComparison.Ordinal);
        Assert.Contains("MAYBE", error.Message, StringComparison.Ordinal);
        Assert.Equal(2, fake.Requests.Count);
        Assert.Empty(await Store.ListReviewsAsync(repository.Key, request.PullRequestNumber));
    }

    [Theory]
    [InlineData("", "the reply was empty")]
    [InlineData("[1, 2]", "the reply is not a JSON object")]
    [InlineData("""{"summary":"s"}""", "\"decision\" is missing or not a string")]
    [InlineData("""{"decision":"APPROVE"}""", "\"summary\" is missing or not a string")]
    [InlineData("""{"decision":"APPROVE","summary":"s","comments":{}}""", "\"comments\" is not an array")]
    [InlineData("""{"decision":"APPROVE","summary":"s","comments":[3]}""", "comments[0]: not an object")]
    [InlineData("""{"decision":"APPROVE","summary":"s","comments":[{"file":1,"severity":"INFO","body":"b"}]}""", "comments[0]: \"file\" is not a string")]
    [InlineData("""{"decision":"APPROVE","summary":"s","comments":[{"line":0,"severity":"INFO","body":"b"}]}""", "comments[0]: \"line\" is not a positive integer or null")]
    [InlineData("""{"decision":"APPROVE","summary":"s","comments":[{"body":"b"}]}""", "comments[0]: \"severity\" is missing or not a string")]
    [InlineData("""{"decision":"APPROVE","summary":"s","comments":[{"severity":"HIGH","body":"b"}]}""", "comments[0]: \"severity\" must be")]
    [InlineData("""{"decision":"APPROVE","summary":"s","comments":[{"severity":"INFO","body":" "}]}""", "comments[0]: \"body\" is missing or empty")]
    [InlineData("""{"decision":5,"summary":"s"}""", "\"decision\" is missing or not a string")]
    [InlineData("""{"decision":"APPROVE","summary":["s"]}""", "\"summary\" is missing or not a string")]
    [InlineData("""{"decision":"APPROVE","summary":"s","comments":[null]}""", "comments[0]: not an object")]
    [InlineData("""{"decision":"APPROVE","summary":"s","comments":[{"line":"12","severity":"INFO","body":"b"}]}""", "comments[0]: \"line\" is not a positive integer or null")]
    [InlineData("""{"decision":"APPROVE","summary":"s","comments":[{"line":1.5,"severity":"INFO","body":"b"}]}""", "comments[0]: \"line\" is not a positive integer or null")]
    [InlineData("""{"decision":"APPROVE","summary":"s","comments":[{"severity":"INFO","body":"b"},{"severity":"INFO","body":7}]}""", "comments[1]: \"body\" is missing or empty")]
    [InlineData("""{"decision":"APPROVE","summary":"s","comments":[{"severity":"INFO","body":""", "LineNumber")] // not JSON: the parser's message, not a shape error
    public async Task A_verdict_that_breaks_the_schema_twice_fails_with_what_was_wrong(string reply, string reason)
    {
        await using var fake = await FakeOpenAIServer.StartAsync();
        var (repository, request) = await PullRequestAsync(("hello.txt", "hello, world\n"));
        fake.Enqueue(Reply.Text(reply), Reply.Text(reply));

        var error = await Assert.ThrowsAsync<NonRetryableTaskException>(() => RunAsync(fake, request));

        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
        Assert.Empty(await Store.ListReviewsAsync(repository.Key, request.PullRequestNumber));
    }

    [Fact]
    public async Task A_diff_over_the_limit_is_reviewed_by_file_in_several_calls_and_one_request_for_changes_wins()
    {
        await using var fake = await FakeOpenAIServer.StartAsync();
        var (repository, request) = await PullRequestAsync(
            ("first.txt", string.Concat(Enumerable.Repeat("first line of text\n", 12))),
            ("second.txt", string.Concat(Enumerable.Repeat("second line of text\n", 12))));
        _options.MaxDiffChars = 400;
        fake.Enqueue(
            Reply.Text(ReviewerTestKit.Verdict("APPROVE", "First is fine.", ("first.txt", 1, "SUGGESTION", "Maybe fewer lines."))).WithUsage(10, 1),
            Reply.Text(ReviewerTestKit.Verdict("REQUEST_CHANGES", "Second is wrong.", ("second.txt", 2, "SUGGESTION", "Say something else."))).WithUsage(20, 2));

        var (_, result) = await RunAsync(fake, request);

        Assert.Equal(2, fake.Requests.Count);
        Assert.Contains("first.txt", fake.Requests[0].Body, StringComparison.Ordinal);
        Assert.DoesNotContain("second.txt", fake.Requests[0].Body, StringComparison.Ordinal);
        Assert.Contains("second.txt", fake.Requests[1].Body, StringComparison.Ordinal);
        Assert.DoesNotContain("first.txt", fake.Requests[1].Body, StringComparison.Ordinal);
        Assert.All(fake.Requests, r => Assert.True(UserContent(r).Length < 400 + 600, $"a request's diff part is {UserContent(r).Length} chars"));
        Assert.Equal(ReviewDecision.RequestChanges, result.Decision);
        Assert.Equal(["first.txt", "second.txt"], result.Comments.Select(c => c.File));
        Assert.Contains("First is fine.", result.Summary, StringComparison.Ordinal);
        Assert.Contains("Second is wrong.", result.Summary, StringComparison.Ordinal);
        Assert.Equal(new TokenUsage(30, 3), result.TokenUsage);
        Assert.Equal(ReviewDecision.RequestChanges, Assert.Single(await Store.ListReviewsAsync(repository.Key, request.PullRequestNumber)).Decision);
    }

    [Fact]
    public async Task Chunks_hold_whole_files_under_the_limit()
    {
        var files = new[]
        {
            new ChangedFile("a.txt", FileChangeStatus.Added, 1, 0, "@@ -0,0 +1 @@\n+" + new string('a', 50) + "\n"),
            new ChangedFile("b.txt", FileChangeStatus.Added, 1, 0, "@@ -0,0 +1 @@\n+" + new string('b', 50) + "\n"),
            new ChangedFile("c.txt", FileChangeStatus.Added, 1, 0, "@@ -0,0 +1 @@\n+" + new string('c', 1000) + "\n"),
        };
        var diff = new PullRequestDiff(1, "h", "b", new string('x', 2000), files);

        var chunks = DiffChunks.Split(diff, 300);

        Assert.Equal(2, chunks.Count);
        Assert.Contains("a.txt", chunks[0], StringComparison.Ordinal);
        Assert.Contains("b.txt", chunks[0], StringComparison.Ordinal);
        Assert.Contains("c.txt", chunks[1], StringComparison.Ordinal);
        Assert.All(chunks, c => Assert.True(c.Length <= 300, $"chunk of {c.Length} chars"));
        Assert.Contains("diff cut", chunks[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_pull_request_fails_the_task_without_retry_and_without_calling_the_model()
    {
        await using var fake = await FakeOpenAIServer.StartAsync();
        var (_, request) = await PullRequestAsync(("hello.txt", "hello, world\n"));

        var error = await Assert.ThrowsAsync<RepositoryHostException>(() => RunAsync(fake, request with { PullRequestNumber = 42 }));

        Assert.Equal(FailureKind.NonRetryable, FailureClassifier.Classify(error)); // the task loop fails it without retry
        Assert.Empty(fake.Requests);
    }

    private async Task<(RepositoryReference Repository, ReviewRequest Request)> PullRequestAsync(params (string File, string Content)[] files)
    {
        var repository = await Sandbox.CreateRepositoryAsync();
        foreach (var (file, content) in files)
        {
            await Sandbox.CommitAsync(repository.LocalPath!, Branch, file, content, "Write " + file);
        }

        var pullRequest = await Host.CreateOrUpdatePullRequestAsync(repository, Spec(Branch));
        var jobId = Guid.NewGuid().ToString("N")[..12];
        return (repository, new ReviewRequest(jobId, "task-" + jobId, repository.LocalPath!, pullRequest.Number, pullRequest.Url, pullRequest.HeadSha, 1, CheckOutcome.Passed));
    }

    private static string UserContent(RecordedRequest request) =>
        request.Json.GetProperty("messages").EnumerateArray().Last(m => m.GetProperty("role").GetString() == "user").GetProperty("content").GetRawText();

    private Task<(TaskResult Outcome, ReviewResult Result)> RunAsync(FakeOpenAIServer fake, ReviewRequest request) =>
        ReviewerTestKit.RunAsync(fake, DataSource, Host, _options, request);
}
