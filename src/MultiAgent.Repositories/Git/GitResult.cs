namespace MultiAgent.Repositories.Git;

/// <summary>What a git command printed (already redacted) and how it exited.</summary>
public sealed record GitResult(int ExitCode, string Output, string Error)
{
    /// <summary>Exit code 0.</summary>
    public bool Succeeded => ExitCode == 0;
}
