using System.Globalization;
using Agents.Coder.Safety;
using Agents.Coder.Sandbox;
using MultiAgent.Contracts;
using MultiAgent.Contracts.Telemetry;
using MultiAgent.Secrets;

namespace Agents.Coder.Tools;

/// <summary>Where a repository's check command comes from, and running it in the check sandbox.</summary>
public sealed class CheckRunner
{
    /// <summary>The file in the repository root that names the check command (its whole content is the command).</summary>
    public const string CheckFile = ".multiagent/check";

    private readonly string _workingDirectory;
    private readonly CoderOptions _options;
    private readonly CheckSandbox _sandbox;

    private CheckRunner(string workingDirectory, CoderOptions options, CheckSandbox sandbox, string? command, string source)
    {
        _workingDirectory = workingDirectory;
        _options = options;
        _sandbox = sandbox;
        Command = command;
        Source = source;
    }

    /// <summary>The command, or null when none is configured.</summary>
    public string? Command { get; }

    /// <summary>Where <see cref="Command"/> came from.</summary>
    public string Source { get; }

    /// <summary>
    /// The check for a workspace: <paramref name="baseCheckFile"/> (the content of <see cref="CheckFile"/> as the base
    /// branch has it, read by the caller from the base commit, never from the branch the model writes to; null when
    /// the base has no such regular file) if it names a command, else <see cref="CoderOptions.CheckCommand"/>. The
    /// model therefore cannot weaken the check by editing the file, in this iteration or an earlier one.
    /// </summary>
    public static CheckRunner For(string workspace, string? baseCheckFile, CoderOptions options, CheckSandbox sandbox)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(sandbox);
        if (baseCheckFile?.Trim() is { Length: > 0 } fromFile)
        {
            return new CheckRunner(workspace, options, sandbox, fromFile, CheckFile + " (base branch)");
        }

        return string.IsNullOrWhiteSpace(options.CheckCommand)
            ? new CheckRunner(workspace, options, sandbox, null, "none")
            : new CheckRunner(workspace, options, sandbox, options.CheckCommand.Trim(), "MultiAgent:Coder:CheckCommand");
    }

    public async Task<CommandResult?> RunAsync(CancellationToken cancellationToken)
    {
        if (Command is null)
        {
            return null;
        }

        using var span = WorkSpans.Start(WorkSpans.Check, "check");
        return await _sandbox.RunAsync(Command, _workingDirectory, _options.CheckTimeout, _options.MaxToolOutputChars, cancellationToken);
    }

    public static CheckOutcome OutcomeOf(CommandResult? result) =>
        result is null || result.RefusedReason is not null ? CheckOutcome.NotRun : result.Succeeded ? CheckOutcome.Passed : CheckOutcome.Failed;

    /// <summary>The result as the model (and the pull request) sees it.</summary>
    public static string Describe(CommandResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (result.RefusedReason is not null)
        {
            return "check refused: " + result.RefusedReason;
        }

        var status = result.TimedOut
            ? "timed out (killed)"
            : string.Create(CultureInfo.InvariantCulture, $"exit code {result.ExitCode} ({(result.Succeeded ? "passed" : "failed")})");
        return string.Create(CultureInfo.InvariantCulture, $"check {status} after {result.Duration.TotalSeconds:0.0} s\n{result.Output}");
    }
}

/// <summary><c>run_check()</c>: runs the repository's configured check command.</summary>
public sealed class RunCheckTool(CheckRunner check) : CodingTool(
    "run_check",
    "Run the repository's check (build and tests) in the working tree and get its exit code and output (cut if long). " +
    "Run it before finish when a check is configured.",
    """{"type":"object","properties":{},"additionalProperties":false}""")
{
    protected override async Task<string> RunCoreAsync(ToolArguments arguments, CancellationToken cancellationToken)
    {
        var result = await check.RunAsync(cancellationToken);
        return result is null
            ? "no check command is configured for this repository (no .multiagent/check file and no MultiAgent:Coder:CheckCommand); nothing was run"
            : CheckRunner.Describe(result);
    }
}

/// <summary><c>finish(summary)</c>: ends the session; the summary goes into the pull request.</summary>
public sealed class FinishTool() : CodingTool(
    "finish",
    "Call when the change is complete: summary says what was changed and why (it becomes the pull request description).",
    """
    {"type":"object","properties":{
      "summary":{"type":"string","description":"What was changed and why, for the reviewer."}},
     "required":["summary"],"additionalProperties":false}
    """)
{
    public const string ToolName = "finish";

    protected override Task<string> RunCoreAsync(ToolArguments arguments, CancellationToken cancellationToken)
    {
        var summary = arguments.RequiredString("summary").Trim();
        if (summary.Length == 0)
        {
            throw new ToolException("summary is empty; say what was changed");
        }

        return Task.FromResult(summary);
    }
}

/// <summary>The tools of one session, over one workspace.</summary>
public sealed class CodingToolbox
{
    /// <param name="workspace">The working tree.</param>
    /// <param name="baseCheckFile">The base branch's <see cref="CheckRunner.CheckFile"/>, or null (see <see cref="CheckRunner.For"/>).</param>
    /// <param name="options">The Coder's settings.</param>
    /// <param name="sandbox">Where the check runs.</param>
    /// <param name="redactor">Masks secrets in the tools' arguments and results (credential shapes only when null).</param>
    public CodingToolbox(string workspace, string? baseCheckFile, CoderOptions options, CheckSandbox sandbox, SecretRedactor? redactor = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        Redactor = redactor ?? new SecretRedactor();
        Paths = new WorkspacePaths(workspace);
        Check = CheckRunner.For(Paths.Root, baseCheckFile, options, sandbox);
        Tools =
        [
            new ListFilesTool(Paths, options),
            new ReadFileTool(Paths, options),
            new SearchTool(Paths, options),
            new WriteFileTool(Paths),
            new EditFileTool(Paths),
            new RunCheckTool(Check),
            new FinishTool(),
        ];
    }

    public WorkspacePaths Paths { get; }

    /// <summary>
    /// What every tool call passes through, both ways: a secret in the model's arguments is not written into the
    /// workspace (and so never committed), one in a tool's output (a file, the check's output) never reaches the model.
    /// </summary>
    public SecretRedactor Redactor { get; }

    public CheckRunner Check { get; }

    public IReadOnlyList<CodingTool> Tools { get; }

    public CodingTool? Find(string name) => Tools.FirstOrDefault(t => t.Name == name);
}
