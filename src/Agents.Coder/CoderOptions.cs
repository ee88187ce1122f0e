using Agents.Coder.Sandbox;

namespace Agents.Coder;

/// <summary>Settings of the Coder, bound from <see cref="SectionName"/>.</summary>
public sealed class CoderOptions
{
    public const string SectionName = "MultiAgent:Coder";

    /// <summary>
    /// The repository's check (build and tests), run through <c>/bin/sh -c</c> in the workspace inside the check sandbox,
    /// e.g. <c>dotnet test</c> or <c>make test</c>. A <c>.multiagent/check</c> file in the base branch's root takes
    /// precedence. Empty: no check.
    /// </summary>
    public string? CheckCommand { get; set; }

    /// <summary>
    /// How the check is isolated (<c>MultiAgent:Coder:Sandbox</c>): <c>auto</c> (bubblewrap, else the setpriv fallback,
    /// else checks are refused), <c>bubblewrap</c>, <c>setpriv</c>, or <c>none</c> (no isolation, on purpose only).
    /// </summary>
    public SandboxMode Sandbox { get; set; } = SandboxMode.Auto;

    /// <summary>The sandbox's limits and extras (<c>MultiAgent:Coder:CheckSandbox</c>).</summary>
    public CheckSandboxOptions CheckSandbox { get; set; } = new();

    /// <summary>How long one run of the check may take; the process tree is killed after it.</summary>
    public TimeSpan CheckTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Bound on the text of one tool result (command output is cut in the middle: head and tail are kept).</summary>
    public int MaxToolOutputChars { get; set; } = 16_000;

    /// <summary>Bound on the model calls of one session.</summary>
    public int MaxSteps { get; set; } = 40;

    /// <summary>Bound on the tokens (input + output, from the responses' usage) of one session.</summary>
    public long MaxTotalTokens { get; set; } = 400_000;

    /// <summary>Bound on the duration of one session.</summary>
    public TimeSpan MaxWallTime { get; set; } = TimeSpan.FromMinutes(20);

    /// <summary>The same tool call with the same arguments this many times in a row ends the session as stuck.</summary>
    public int StuckRepeatLimit { get; set; } = 3;

    /// <summary>Bound on the entries <c>list_files</c> returns.</summary>
    public int MaxListedFiles { get; set; } = 500;

    /// <summary>Bound on the matches <c>search</c> returns.</summary>
    public int MaxSearchResults { get; set; } = 100;

    /// <summary>Lines <c>read_file</c> returns when no count is given.</summary>
    public int DefaultReadLines { get; set; } = 400;
}
