using System.Text.Json;
using Agents.Coder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using MultiAgent.Persistence;
using MultiAgent.AgentRuntime.Tasks;
using MultiAgent.Contracts;
using MultiAgent.Llm;
using MultiAgent.Repositories;
using MultiAgent.Secrets;
using MultiAgent.IntegrationTests.Fakes.OpenAI;
using MultiAgent.IntegrationTests.Infrastructure;
using MultiAgent.IntegrationTests.Llm;
using MultiAgent.IntegrationTests.Repositories.Local;

namespace MultiAgent.IntegrationTests.Coder;

/// <summary>
/// The Coder's handler end to end: the LLM layer's session against the OpenAI fake, a bare repository of the test's
/// own, the local-git host with its pull requests in the fixture's PostgreSQL, real workspaces and real checks.
/// </summary>
[Collection(InfrastructureCollection.Name)]
public sealed class CoderHandlerTests(InfrastructureFixture infrastructure) : LocalHostTestBase(infrastructure)
{
    private const string Greeting = "hello, world\n";
    private readonly CoderOptions _options = new() { CheckCommand = "grep -q 'hello, world' hello.txt" };

    [Fact]
    public async Task A_scripted_session_becomes_a_pull_request_with_exactly_the_expected_files()
    {
        await using var fake = await FakeOpenAIServer.StartAsync();
        var repository = await Sandbox.CreateRepositoryAsync();
        var request = Request(repository, NewJobId());
        fake.Enqueue(
            Reply.ToolCall("list_files", new { }).WithUsage(100, 10),
            Reply.ToolCall("write_file", new { path = "hello.txt", content = "hello\n" }).WithUsage(100, 10),
            Reply.ToolCall("edit_file", new { path = "hello.txt", old_text = "hello\n", new_text = Greeting }).WithUsage(100, 10),
            Reply.ToolCall("run_check", new { }).WithUsage(100, 10),
            Reply.ToolCall("finish", new { summary = "Added hello.txt with a greeting." }).WithUsage(100, 10));

        var (outcome, result) = await RunAsync(fake, request);

        var branch = "agent/job-" + request.JobId;
        Assert.True(result.Succeeded);
        Assert.Equal(branch, result.Branch);
        Assert.Equal(1, result.PullRequestNumber);
        Assert.Equal(await Sandbox.BranchShaAsync(repository, branch), result.HeadSha);
        Assert.Equal(["hello.txt"], result.FilesChanged);
        Assert.Equal(CheckOutcome.Passed, result.Check);
        Assert.Equal("Added hello.txt with a greeting.", result.Summary);
        Assert.Equal(new TokenUsage(500, 50), result.TokenUsage);
        Assert.Equal(new TokenUsage(500, 50), outcome.TokenUsage);
        Assert.Equal(AgentType.RepoManager, Assert.Single(outcome.FollowUps).AgentType);
        Assert.Equal(Greeting.TrimEnd(), await Sandbox.ShowAsync(repository, branch, "hello.txt"));
        Assert.Equal(["README.md", "hello.txt"], (await Sandbox.RunAsync(repository.LocalPath!, "ls-tree", "--name-only", branch)).Split('\n'));
        Assert.Equal("# demo\n\nfirst line", await Sandbox.ShowAsync(repository, branch, "README.md"));

        var pullRequest = await Host.GetPullRequestAsync(repository, 1);
        Assert.Equal(branch, pullRequest.HeadBranch);
        Assert.Equal("main", pullRequest.BaseBranch);
        Assert.Equal(result.HeadSha, pullRequest.HeadSha);
        Assert.Equal("Add a greeting", pullRequest.Title);
        Assert.Equal(PullRequestState.Open, pullRequest.State);

        // What the model was sent: the tools, the request, and the check's result before it finished.
        Assert.Equal(5, fake.Requests.Count);
        var tools = fake.Requests[0].Json.GetProperty("tools").EnumerateArray().Select(t => t.GetProperty("function").GetProperty("name").GetString()).ToList();
        Assert.Equal(["list_files", "read_file", "search", "write_file", "edit_file", "run_check", "finish"], tools);
        Assert.Contains("hello.txt contains 'hello, world'", fake.Requests[0].Body, StringComparison.Ordinal);
        Assert.Contains("check exit code 0 (passed)", LastToolResult(fake.Requests[4]), StringComparison.Ordinal);
        var transcript = await new TranscriptStore(DataSource).ReadAsync(request.TaskId);
        Assert.Equal(5, transcript.Count(e => e.Kind == TranscriptKinds.ModelCall));
        Assert.Equal(5, transcript.Count(e => e.Kind == TranscriptKinds.ToolResult));
    }

    [Fact]
    public async Task A_second_iteration_updates_the_same_pull_request_on_the_same_branch()
    {
        await using var fake = await FakeOpenAIServer.StartAsync();
        var repository = await Sandbox.CreateRepositoryAsync();
        var jobId = NewJobId();
        fake.Enqueue(
            Reply.ToolCall("write_file", new { path = "hello.txt", content = "hello\n" }),
            Reply.ToolCall("finish", new { summary = "First try." }));
        var (_, first) = await RunAsync(fake, Request(repository, jobId));
        Assert.Equal(CheckOutcome.Failed, first.Check);

        fake.Enqueue(
            Reply.ToolCall("read_file", new { path = "hello.txt" }),
            Reply.ToolCall("edit_file", new { path = "hello.txt", old_text = "hello\n", new_text = Greeting }),
            Reply.ToolCall("finish", new { summary = "Greets the world, as asked." }));
        var (_, second) = await RunAsync(fake, Request(repository, jobId) with
        {
            TaskId = "task-2-" + jobId,
            Iteration = 2,
            PreviousReviewComments = [new ReviewComment("hello.txt", ReviewCommentSeverity.Blocking, "Greet the world.", 1)],
        });

        Assert.Equal(first.PullRequestNumber, second.PullRequestNumber);
        Assert.Equal(first.Branch, second.Branch);
        Assert.NotEqual(first.HeadSha, second.HeadSha);
        Assert.Equal(CheckOutcome.Passed, second.Check);
        Assert.Contains("Greet the world.", fake.Requests[2].Body, StringComparison.Ordinal);
        Assert.EndsWith("\nhello\n", LastToolResult(fake.Requests[3]), StringComparison.Ordinal);
        Assert.Equal(first.HeadSha, await Sandbox.RunAsync(repository.LocalPath!, "rev-parse", second.HeadSha + "^"));
        Assert.Equal(second.HeadSha, (await Host.GetPullRequestAsync(repository, second.PullRequestNumber!.Value)).HeadSha);
        Assert.Equal(Greeting.TrimEnd(), await Sandbox.ShowAsync(repository, second.Branch, "hello.txt"));
        Assert.Equal(1L, await PullRequestCountAsync(repository));
    }

    [Fact]
    public async Task An_attempt_run_again_after_its_commit_was_pushed_carries_on_to_the_same_pull_request_and_a_later_iteration_still_must_change_something()
    {
        await using var fake = await FakeOpenAIServer.StartAsync();
        var repository = await Sandbox.CreateRepositoryAsync();
        var request = Request(repository, NewJobId());
        var writeAndFinish = new FakeReply[]
        {
            Reply.ToolCall("write_file", new { path = "hello.txt", content = Greeting }),
            Reply.ToolCall("finish", new { summary = "Greets the world." }),
        };
        fake.Enqueue(writeAndFinish);
        var (_, first) = await RunAsync(fake, request);

        // The same task again (its first attempt died after pushing, before the result was handed on): the model
        // writes the same file, which changes nothing now.
        fake.Enqueue(writeAndFinish);
        var (_, again) = await RunAsync(fake, request);

        fake.Enqueue(Reply.ToolCall("finish", new { summary = "Nothing more to do." }));
        var nextIteration = await Assert.ThrowsAsync<NonRetryableTaskException>(() =>
            RunAsync(fake, request with { TaskId = "task-2-" + request.JobId, Iteration = 2 }));

        Assert.True(again.Succeeded);
        Assert.Equal((first.HeadSha, first.PullRequestNumber, first.Branch), (again.HeadSha, again.PullRequestNumber, again.Branch));
        Assert.Equal(["hello.txt"], again.FilesChanged);
        Assert.Equal("1", await Sandbox.RunAsync(repository.LocalPath!, "rev-list", "--count", "main.." + first.Branch));
        Assert.Equal(1L, await PullRequestCountAsync(repository));
        Assert.Equal("the model made no changes", nextIteration.Message);
    }

    [Fact]
    public async Task A_rate_limit_with_retry_after_is_waited_out_and_the_pull_request_still_opens()
    {
        await using var fake = await FakeOpenAIServer.StartAsync();
        var repository = await Sandbox.CreateRepositoryAsync();
        fake.Enqueue(
            Fault.TooManyRequests(retryAfter: 1),
            Reply.ToolCall("write_file", new { path = "hello.txt", content = Greeting }),
            Reply.ToolCall("finish", new { summary = "Added hello.txt." }));

        var (_, result) = await RunAsync(fake, Request(repository, NewJobId()));

        Assert.Equal(1, result.PullRequestNumber);
        Assert.Equal(CheckOutcome.Passed, result.Check);
        Assert.Equal(3, fake.Requests.Count);
        Assert.True(fake.Requests[1].ReceivedAt - fake.Requests[0].ReceivedAt >= TimeSpan.FromSeconds(0.9),
            $"the retry came {fake.Requests[1].ReceivedAt - fake.Requests[0].ReceivedAt} after the 429");
        Assert.Equal(Greeting.TrimEnd(), await Sandbox.ShowAsync(repository, result.Branch, "hello.txt"));
    }

    [Fact]
    public async Task Rejected_credentials_fail_the_task_without_retry()
    {
        await using var fake = await FakeOpenAIServer.StartAsync();
        var repository = await Sandbox.CreateRepositoryAsync();
        fake.Enqueue(Fault.Unauthorized());

        var error = await Assert.ThrowsAsync<NonRetryableLlmException>(() => RunAsync(fake, Request(repository, NewJobId())));

        Assert.Equal(FailureKind.NonRetryable, FailureClassifier.Classify(error));
        Assert.Contains("rejected the credentials (HTTP 401)", error.Message, StringComparison.Ordinal);
        Assert.Single(fake.Requests);
        Assert.Equal(0L, await PullRequestCountAsync(repository));
    }

    [Fact]
    public async Task A_provider_that_stays_unavailable_fails_the_task_as_retryable()
    {
        await using var fake = await FakeOpenAIServer.StartAsync();
        var repository = await Sandbox.CreateRepositoryAsync();
        fake.Enqueue(Fault.ServiceUnavailable(), Fault.ServiceUnavailable(), Fault.ServiceUnavailable());

        var error = await Assert.ThrowsAsync<RetryableLlmException>(() => RunAsync(fake, Request(repository, NewJobId())));

        Assert.Equal(FailureKind.Retryable, FailureClassifier.Classify(error));
        Assert.Contains("HTTP 503", error.Message, StringComparison.Ordinal);
        Assert.Equal(0L, await PullRequestCountAsync(repository));
    }

    [Fact]
    public async Task A_session_that_changes_nothing_fails_and_opens_no_pull_request()
    {
        await using var fake = await FakeOpenAIServer.StartAsync();
        var repository = await Sandbox.CreateRepositoryAsync();
        var request = Request(repository, NewJobId());
        fake.Enqueue(Reply.ToolCall("list_files", new { }), Reply.ToolCall("finish", new { summary = "Nothing to do." }));

        var error = await Assert.ThrowsAsync<NonRetryableTaskException>(() => RunAsync(fake, request));

        Assert.Equal("the model made no changes", error.Message);
        Assert.Equal(0L, await PullRequestCountAsync(repository));
        Assert.Null(await Sandbox.BranchShaAsync(repository, "agent/job-" + request.JobId));
    }

    [Fact]
    public async Task The_step_limit_fails_the_task_with_the_reason_and_opens_no_pull_request()
    {
        await using var fake = await FakeOpenAIServer.StartAsync();
        var repository = await Sandbox.CreateRepositoryAsync();
        _options.MaxSteps = 3;
        fake.Enqueue([.. Enumerable.Range(0, 3).Select(i => Reply.ToolCall("write_file", new { path = $"f{i}.txt", content = "x" }))]);

        var error = await Assert.ThrowsAsync<NonRetryableTaskException>(() => RunAsync(fake, Request(repository, NewJobId())));

        Assert.Equal("step limit of 3 reached", error.Message);
        Assert.Equal(3, fake.Requests.Count);
        Assert.Equal(0L, await PullRequestCountAsync(repository));
    }

    [Fact]
    public async Task A_stuck_loop_fails_the_task_with_the_reason()
    {
        await using var fake = await FakeOpenAIServer.StartAsync();
        var repository = await Sandbox.CreateRepositoryAsync();
        fake.Enqueue([.. Enumerable.Range(0, 3).Select(_ => Reply.ToolCall("read_file", new { path = "README.md" }))]);

        var error = await Assert.ThrowsAsync<NonRetryableTaskException>(() => RunAsync(fake, Request(repository, NewJobId())));

        Assert.Equal("stuck: read_file called 3 times with the same arguments", error.Message);
        Assert.Equal(0L, await PullRequestCountAsync(repository));
    }

    [Fact]
    public async Task A_missing_base_branch_fails_the_task_without_retry_and_without_calling_the_model()
    {
        await using var fake = await FakeOpenAIServer.StartAsync();
        var repository = await Sandbox.CreateRepositoryAsync();

        var error = await Assert.ThrowsAsync<RepositoryHostException>(() => RunAsync(fake, Request(repository, NewJobId()) with { BaseBranch = "develop" }));

        Assert.Equal(FailureKind.NonRetryable, FailureClassifier.Classify(error)); // the task loop fails it without retry
        Assert.Contains("develop", error.Message, StringComparison.Ordinal);
        Assert.Empty(fake.Requests);
    }

    private static string NewJobId() => Guid.NewGuid().ToString("N")[..12];

    [Fact]
    public async Task A_jobs_stored_transcript_replayed_makes_the_same_pull_request_byte_for_byte()
    {
        // A job with a real model's place taken by the fake: its transcript is stored as the agents store it.
        await using var fake = await FakeOpenAIServer.StartAsync();
        var recorded = Request(await Sandbox.CreateRepositoryAsync("recorded"), NewJobId());
        await new TaskStore(DataSource).BeginAttemptAsync(new TaskStart
        {
            TaskId = recorded.TaskId, JobId = recorded.JobId, AgentType = AgentType.Coder, MessageType = MessageTypes.ImplementationRequest,
            LeaseHolder = "test/recorded", LeaseDuration = TimeSpan.FromMinutes(1),
        });
        fake.Enqueue(
            Reply.ToolCall("list_files", new { }).WithUsage(100, 10),
            Reply.ToolCall("write_file", new { path = "hello.txt", content = "hello\n" }).WithUsage(100, 10),
            Reply.ToolCall("edit_file", new { path = "hello.txt", old_text = "hello\n", new_text = Greeting }).WithUsage(100, 10),
            Reply.ToolCall("write_file", new { path = "docs/greeting.md", content = "# Greeting\n\nSays hello, world.\n" }).WithUsage(100, 10),
            Reply.ToolCall("finish", new { summary = "Added hello.txt and its page." }).WithUsage(100, 10));
        var (_, original) = await RunAsync(fake, recorded);

        // Its transcript as a replay file (tools/replay/from-transcript.sql), played on a copy of the repository.
        var replayFile = Path.Combine(Sandbox.Root, "replay.json");
        await File.WriteAllTextAsync(replayFile, await ExportTranscriptAsync(recorded.JobId));
        var copy = await Sandbox.CreateRepositoryAsync("replayed");
        var replayed = Request(copy, NewJobId());
        var llm = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            [$"{LlmOptions.SectionName}:Provider"] = "Replay",
            [$"{LlmOptions.SectionName}:ReplayFile"] = replayFile,
            [$"{LlmOptions.SectionName}:Model"] = "replay",
        }).Build();
        var (_, again) = await RunAsync(llm, replayed);

        Assert.Equal(5, fake.Requests.Count); // the replay asked no model
        Assert.Equal(original.FilesChanged, again.FilesChanged);
        Assert.Equal(original.Summary, again.Summary);
        Assert.Equal(original.TokenUsage, again.TokenUsage);
        Assert.Equal(
            await Sandbox.RunAsync(recorded.Repository, "diff", "main", original.Branch!),
            await Sandbox.RunAsync(copy.LocalPath!, "diff", "main", again.Branch!));
    }

    /// <summary>The job's transcript as tools/replay/from-transcript.sql exports it (its psql variable as a parameter).</summary>
    private async Task<string> ExportTranscriptAsync(string jobId)
    {
        var sql = (await File.ReadAllTextAsync(SourceTree.PathOf("tools", "replay", "from-transcript.sql"))).Replace(":'job'", "@job", StringComparison.Ordinal);
        await using var export = DataSource.CreateCommand(sql);
        export.Parameters.AddWithValue("job", jobId);
        return (string)(await export.ExecuteScalarAsync())!;
    }

    private static ImplementationRequest Request(RepositoryReference repository, string jobId) => new(
        jobId, "task-" + jobId, repository.LocalPath!, "main", "Add a greeting", 1, "Add hello.txt that greets the world.",
        ["hello.txt contains 'hello, world'"]);

    private Task<(TaskResult Outcome, ImplementationResult Result)> RunAsync(FakeOpenAIServer fake, ImplementationRequest request) =>
        RunAsync(LlmTestKit.Configuration(fake), request);

    private async Task<(TaskResult Outcome, ImplementationResult Result)> RunAsync(IConfiguration llm, ImplementationRequest request)
    {
        var redactor = new SecretRedactor();
        var sessions = new LlmSessionFactory(LlmTestKit.Factory(llm, redactor), new TranscriptStore(DataSource), redactor);
        var handler = new ImplementationHandler(
            new RepositoryHostResolver([Host]), Workspaces, new LlmTaskModelProvider(sessions), Options.Create(_options), TestSandboxes.Default);
        var envelope = MessageSerializer.Wrap(request, AgentType.Coder, request.JobId, id: request.TaskId);
        var outcome = await handler.HandleAsync(new TaskContext(envelope, 1, false), MessageSerializer.Unwrap<ImplementationRequest>(envelope), CancellationToken.None);
        return (outcome, MessageSerializer.Unwrap<ImplementationResult>(Assert.Single(outcome.FollowUps)));
    }

    /// <summary>The content of the last tool message of a request the model was sent.</summary>
    private static string LastToolResult(RecordedRequest request) =>
        request.Json.GetProperty("messages").EnumerateArray()
            .Last(m => m.GetProperty("role").GetString() == "tool")
            .GetProperty("content") is var content && content.ValueKind == JsonValueKind.String
                ? content.GetString()!
                : content.GetRawText();

    private async Task<long> PullRequestCountAsync(RepositoryReference repository)
    {
        await using var count = DataSource.CreateCommand("SELECT count(*) FROM local_pull_requests WHERE repository = @repository");
        count.Parameters.AddWithValue("repository", repository.Key);
        return (long)(await count.ExecuteScalarAsync())!;
    }
}
