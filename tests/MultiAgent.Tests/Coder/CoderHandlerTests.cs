using System.Net;
using Agents.Coder;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using MultiAgent.AgentRuntime.Tasks;
using MultiAgent.Contracts;
using MultiAgent.Repositories;
using MultiAgent.Tests.Infrastructure;
using MultiAgent.Tests.Repositories.Local;

namespace MultiAgent.Tests.Coder;

/// <summary>
/// The Coder's handler end to end with a scripted model: a bare repository of the test's own, the local-git host with
/// its pull requests in the fixture's PostgreSQL, real workspaces and real checks.
/// </summary>
[Collection(InfrastructureCollection.Name)]
public sealed class CoderHandlerTests(InfrastructureFixture infrastructure) : LocalHostTestBase(infrastructure)
{
    private const string Greeting = "hello, world\n";
    private readonly ScriptedChatClient _model = new();
    private readonly CoderOptions _options = new() { CheckCommand = "grep -q 'hello, world' hello.txt" };

    [Fact]
    public async Task A_scripted_session_becomes_a_pull_request_with_exactly_the_expected_files()
    {
        var repository = await Sandbox.CreateRepositoryAsync();
        var jobId = NewJobId();
        _model.Call("list_files", new { })
            .Call("write_file", new { path = "hello.txt", content = "hello\n" })
            .Call("edit_file", new { path = "hello.txt", old_text = "hello\n", new_text = Greeting })
            .Call("run_check")
            .Call("finish", new { summary = "Added hello.txt with a greeting." });

        var (outcome, result) = await RunAsync(Request(repository, jobId));

        var branch = "agent/job-" + jobId;
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
        Assert.StartsWith("check exit code 0 (passed)", _model.ToolResult(3), StringComparison.Ordinal);

        var pullRequest = await Host.GetPullRequestAsync(repository, 1);
        Assert.Equal(branch, pullRequest.HeadBranch);
        Assert.Equal("main", pullRequest.BaseBranch);
        Assert.Equal(result.HeadSha, pullRequest.HeadSha);
        Assert.Equal("Add a greeting", pullRequest.Title);
        Assert.Equal(PullRequestState.Open, pullRequest.State);
    }

    [Fact]
    public async Task A_second_iteration_updates_the_same_pull_request_on_the_same_branch()
    {
        var repository = await Sandbox.CreateRepositoryAsync();
        var jobId = NewJobId();
        _model.Call("write_file", new { path = "hello.txt", content = "hello\n" }).Call("finish", new { summary = "First try." });
        var (_, first) = await RunAsync(Request(repository, jobId));
        Assert.Equal(CheckOutcome.Failed, first.Check);

        _model.Call("read_file", new { path = "hello.txt" })
            .Call("edit_file", new { path = "hello.txt", old_text = "hello\n", new_text = Greeting })
            .Call("finish", new { summary = "Greets the world, as asked." });
        var (_, second) = await RunAsync(Request(repository, jobId) with
        {
            Iteration = 2,
            PreviousReviewComments = [new ReviewComment("hello.txt", ReviewCommentSeverity.Blocking, "Greet the world.", 1)],
        });

        Assert.Equal(first.PullRequestNumber, second.PullRequestNumber);
        Assert.Equal(first.Branch, second.Branch);
        Assert.NotEqual(first.HeadSha, second.HeadSha);
        Assert.Equal(CheckOutcome.Passed, second.Check);
        Assert.Equal("hello\n", _model.ToolResult(0)[(_model.ToolResult(0).IndexOf('\n') + 1)..]);
        Assert.Contains("Greet the world.", _model.Calls.Last()[1].Text, StringComparison.Ordinal);
        Assert.Equal(first.HeadSha, await Sandbox.RunAsync(repository.LocalPath!, "rev-parse", second.HeadSha + "^"));
        var pullRequest = await Host.GetPullRequestAsync(repository, second.PullRequestNumber!.Value);
        Assert.Equal(second.HeadSha, pullRequest.HeadSha);
        Assert.Equal(Greeting.TrimEnd(), await Sandbox.ShowAsync(repository, second.Branch, "hello.txt"));
        Assert.Equal(1L, await PullRequestCountAsync(repository));
    }

    [Fact]
    public async Task A_session_that_changes_nothing_fails_and_opens_no_pull_request()
    {
        var repository = await Sandbox.CreateRepositoryAsync();
        var jobId = NewJobId();
        _model.Call("list_files", new { }).Call("finish", new { summary = "Nothing to do." });

        var error = await Assert.ThrowsAsync<NonRetryableTaskException>(() => RunAsync(Request(repository, jobId)));

        Assert.Equal("the model made no changes", error.Message);
        Assert.Equal(0L, await PullRequestCountAsync(repository));
        Assert.Null(await Sandbox.BranchShaAsync(repository, "agent/job-" + jobId));
    }

    [Fact]
    public async Task The_step_limit_fails_the_task_with_the_reason_and_opens_no_pull_request()
    {
        var repository = await Sandbox.CreateRepositoryAsync();
        _options.MaxSteps = 3;
        var i = 0;
        _model.Forever = _ => _model.Respond(_model.ToolCall("write_file", new { path = $"f{i++}.txt", content = "x" }));

        var error = await Assert.ThrowsAsync<NonRetryableTaskException>(() => RunAsync(Request(repository, NewJobId())));

        Assert.Equal("step limit of 3 reached", error.Message);
        Assert.Equal(0L, await PullRequestCountAsync(repository));
    }

    [Fact]
    public async Task A_stuck_loop_fails_the_task_with_the_reason()
    {
        var repository = await Sandbox.CreateRepositoryAsync();
        _model.Forever = _ => _model.Respond(_model.ToolCall("read_file", new { path = "README.md" }));

        var error = await Assert.ThrowsAsync<NonRetryableTaskException>(() => RunAsync(Request(repository, NewJobId())));

        Assert.Equal("stuck: read_file called 3 times with the same arguments", error.Message);
        Assert.Equal(0L, await PullRequestCountAsync(repository));
    }

    [Fact]
    public async Task Rejected_credentials_fail_the_task_without_retry()
    {
        var repository = await Sandbox.CreateRepositoryAsync();
        _model.Throw(new HttpRequestException("Response status code does not indicate success: 401 (Unauthorized).", null, HttpStatusCode.Unauthorized));

        var error = await Assert.ThrowsAsync<NonRetryableTaskException>(() => RunAsync(Request(repository, NewJobId())));

        Assert.Contains("401 (Unauthorized)", error.Message, StringComparison.Ordinal);
        Assert.StartsWith("the model call failed", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_overloaded_model_fails_the_task_as_retryable()
    {
        var repository = await Sandbox.CreateRepositoryAsync();
        _model.Throw(new HttpRequestException("Response status code does not indicate success: 503 (Service Unavailable).", null, HttpStatusCode.ServiceUnavailable));

        var error = await Assert.ThrowsAsync<RetryableTaskException>(() => RunAsync(Request(repository, NewJobId())));

        Assert.Contains("503", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_base_branch_fails_the_task_without_retry()
    {
        var repository = await Sandbox.CreateRepositoryAsync();

        var error = await Assert.ThrowsAsync<NonRetryableTaskException>(() => RunAsync(Request(repository, NewJobId()) with { BaseBranch = "develop" }));

        Assert.Contains("develop", error.Message, StringComparison.Ordinal);
        Assert.Empty(_model.Calls);
    }

    private static string NewJobId() => Guid.NewGuid().ToString("N")[..12];

    private static ImplementationRequest Request(RepositoryReference repository, string jobId) => new(
        jobId, "task-" + jobId, repository.LocalPath!, "main", "Add a greeting", 1, "Add hello.txt that greets the world.",
        ["hello.txt contains 'hello, world'"]);

    private async Task<(TaskResult Outcome, ImplementationResult Result)> RunAsync(ImplementationRequest request)
    {
        var handler = new ImplementationHandler(
            new RepositoryHostResolver([Host]), Workspaces, new FixedModel(_model), Options.Create(_options));
        var envelope = MessageSerializer.Wrap(request, AgentType.Coder, request.JobId);
        var outcome = await handler.HandleAsync(new TaskContext(envelope, 1, false), CancellationToken.None);
        return (outcome, MessageSerializer.Unwrap<ImplementationResult>(Assert.Single(outcome.FollowUps)));
    }

    private async Task<long> PullRequestCountAsync(RepositoryReference repository)
    {
        await using var count = DataSource.CreateCommand("SELECT count(*) FROM local_pull_requests WHERE repository = @repository");
        count.Parameters.AddWithValue("repository", repository.Key);
        return (long)(await count.ExecuteScalarAsync())!;
    }

    private sealed class FixedModel(IChatClient client) : ICodingModelProvider, ICodingModel
    {
        public IChatClient Client => client;

        public Task<ICodingModel> OpenAsync(TaskContext context, CancellationToken cancellationToken) => Task.FromResult<ICodingModel>(this);

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
