using Agents.Coder.Loop;
using MultiAgent.Contracts;

namespace MultiAgent.UnitTests.Coder;

/// <summary>The tool loop with a scripted model: bad calls are answered, limits and stuck loops end the session.</summary>
public sealed class CodingSessionTests : IDisposable
{
    private static readonly ImplementationRequest Request = new(
        "job-1", "task-1", "/srv/repos/demo.git", "main", "Add a greeting", 1, "Say hello.", ["hello.txt says hello"]);

    private readonly CoderTestFolder _folder = new();
    private readonly ScriptedChatClient _model = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Finish_ends_the_session_with_the_summary_and_the_usage()
    {
        _model.Call("write_file", new { path = "hello.txt", content = "hello\n" }).Call("finish", new { summary = "Added hello.txt." });

        var outcome = await RunAsync();

        Assert.True(outcome.Finished, outcome.FailureReason);
        Assert.Equal("Added hello.txt.", outcome.Summary);
        Assert.Equal(2, outcome.Steps);
        Assert.Equal(new TokenUsage(200, 20), outcome.Usage);
        Assert.Equal("hello\n", _folder.Read("hello.txt"));
        var first = _model.Calls[0];
        Assert.Contains("Work only through the tools", first[0].Text, StringComparison.Ordinal);
        Assert.Contains("# Add a greeting", first[1].Text, StringComparison.Ordinal);
        Assert.Contains("- hello.txt says hello", first[1].Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_tool_is_an_error_result_and_the_session_goes_on()
    {
        _model.Call("delete_everything", new { path = "/" }).Call("finish", new { summary = "done" });

        var outcome = await RunAsync();

        Assert.True(outcome.Finished);
        Assert.StartsWith("error: there is no tool 'delete_everything'", ToolResultOfCall(1), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Arguments_that_are_not_json_are_an_error_result_and_the_session_goes_on()
    {
        _model.CallWithRawArguments("write_file", "{\"path\": \"a.txt\", \"content\": ").Call("finish", new { summary = "done" });

        var outcome = await RunAsync();

        Assert.True(outcome.Finished);
        Assert.StartsWith("error: the arguments of write_file are not valid JSON", ToolResultOfCall(1), StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_folder.Workspace, "a.txt")));
    }

    [Fact]
    public async Task Missing_required_arguments_and_paths_outside_are_error_results()
    {
        _model.Call("edit_file", new { path = "a.txt" })
            .Call("read_file", new { path = "../../etc/passwd" })
            .Call("finish", new { summary = "done" });

        var outcome = await RunAsync();

        Assert.True(outcome.Finished);
        Assert.Equal(3, outcome.Steps);
        Assert.StartsWith("error: edit_file needs the argument(s) old_text, new_text", ToolResultOfCall(1), StringComparison.Ordinal);
        Assert.StartsWith("error: path '../../etc/passwd' contains '..'", ToolResultOfCall(2), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_text_answer_gets_a_reminder_to_use_the_tools()
    {
        _model.Text("I would add a file.").Call("finish", new { summary = "done" });

        var outcome = await RunAsync();

        Assert.True(outcome.Finished);
        Assert.Contains("Work through the tools", _model.Calls[1].Last().Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_same_call_three_times_in_a_row_ends_the_session_as_stuck()
    {
        _folder.Write("a.txt", "a\n");
        _model.Call("read_file", new { path = "a.txt" })
            .Call("read_file", new { path = "a.txt", start_line = 1 })
            .Call("read_file", new { path = "a.txt" })
            .Call("read_file", new { path = "a.txt" })
            .Call("read_file", new { path = "a.txt" })
            .Call("finish", new { summary = "never reached" });

        var outcome = await RunAsync();

        Assert.False(outcome.Finished);
        Assert.Equal("stuck: read_file called 3 times with the same arguments", outcome.FailureReason);
        Assert.Equal(5, outcome.Steps);
    }

    [Fact]
    public async Task The_step_limit_ends_the_session()
    {
        _folder.Options.MaxSteps = 4;
        var i = 0;
        _model.Forever = _ => _model.Respond(_model.ToolCall("list_files", new { path = "", recursive = i++ % 2 == 0 }));

        var outcome = await RunAsync();

        Assert.False(outcome.Finished);
        Assert.Equal("step limit of 4 reached", outcome.FailureReason);
        Assert.Equal(4, _model.Calls.Count);
    }

    [Fact]
    public async Task The_token_limit_ends_the_session()
    {
        _folder.Options.MaxTotalTokens = 250;
        var i = 0;
        _model.Forever = _ => _model.Respond(_model.ToolCall("list_files", new { recursive = i++ % 2 == 0 }));

        var outcome = await RunAsync();

        Assert.False(outcome.Finished);
        Assert.Equal("token limit of 250 reached (330 tokens used)", outcome.FailureReason);
        Assert.Equal(3, _model.Calls.Count);
    }

    [Fact]
    public async Task The_wall_time_limit_ends_the_session()
    {
        var time = new ManualTimeProvider(DateTimeOffset.UnixEpoch);
        _folder.Options.MaxWallTime = TimeSpan.FromMinutes(20);
        var i = 0;
        _model.Forever = _ =>
        {
            time.Advance(TimeSpan.FromMinutes(7));
            return _model.Respond(_model.ToolCall("list_files", new { recursive = i++ % 2 == 0 }));
        };

        var outcome = await new CodingSession(_model, _folder.Toolbox(), _folder.Options, time).RunAsync(Request, CancellationToken.None);

        Assert.False(outcome.Finished);
        Assert.Equal("time limit of 00:20:00 reached", outcome.FailureReason);
        Assert.Equal(3, _model.Calls.Count);
    }

    [Fact]
    public void A_later_iteration_carries_the_review_comments()
    {
        var text = CodingSession.RequestText(Request with
        {
            Iteration = 2,
            PreviousReviewComments = [new ReviewComment("hello.txt", ReviewCommentSeverity.Blocking, "Say hello to the world.", 1)],
        });

        Assert.Contains("Iteration 2: address the review", text, StringComparison.Ordinal);
        Assert.Contains("hello.txt:1: Say hello to the world.", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_secret_never_reaches_the_model_through_a_tool_result_nor_a_file_through_the_models_arguments()
    {
        const string secret = "agent-api-key-value-9";
        _folder.Write("config.txt", $"key={secret}\n");
        _model.Call("read_file", new { path = "config.txt" })
            .Call("write_file", new { path = "leak.txt", content = $"the key is {secret}\n" })
            .Call("finish", new { summary = $"Leaked {secret}." });

        var outcome = await RunAsync(new MultiAgent.Secrets.SecretRedactor([secret]));

        Assert.True(outcome.Finished, outcome.FailureReason);
        Assert.Contains("key=***", ToolResultOfCall(1), StringComparison.Ordinal);
        Assert.DoesNotContain(secret, string.Concat(_model.Calls.SelectMany(c => c).Select(m => m.Text + string.Concat(m.Contents.OfType<Microsoft.Extensions.AI.FunctionResultContent>().Select(r => r.Result)))), StringComparison.Ordinal);
        Assert.Equal("the key is ***\n", _folder.Read("leak.txt"));
        Assert.Equal("Leaked ***.", outcome.Summary);
    }

    private Task<SessionOutcome> RunAsync(MultiAgent.Secrets.SecretRedactor? redactor = null) =>
        new CodingSession(_model, _folder.Toolbox(redactor: redactor), _folder.Options).RunAsync(Request, CancellationToken.None);

    /// <summary>The result the session sent back for the tool call of model call <paramref name="call"/> (1-based), as seen by the next call.</summary>
    private string ToolResultOfCall(int call) =>
        _model.Calls[call].SelectMany(m => m.Contents).OfType<Microsoft.Extensions.AI.FunctionResultContent>().ElementAt(call - 1).Result?.ToString() ?? "";
}
