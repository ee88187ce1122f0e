namespace MultiAgent.Cli;

/// <summary>The exit codes of the multi-agent command (also in <c>--help</c> and docs/cli.md).</summary>
public static class ExitCodes
{
    /// <summary>The command did what was asked (for watch: the job COMPLETED).</summary>
    public const int Ok = 0;

    /// <summary>The command or the job failed: not found, NATS unreachable, no Repo Manager, job FAILED or CANCELLED.</summary>
    public const int Failure = 1;

    /// <summary>Bad arguments (unknown option, invalid repository, empty requirements, …); nothing was sent.</summary>
    public const int Usage = 2;

    /// <summary>Interrupted (Ctrl+C).</summary>
    public const int Interrupted = 130;
}

/// <summary>A failure the CLI reports with a message and an exit code, without a stack trace.</summary>
internal sealed class CliException(int exitCode, string message) : Exception(message)
{
    public int ExitCode { get; } = exitCode;

    /// <summary>Bad input: exit code 2. Thrown before anything is sent.</summary>
    public static CliException Usage(string message) => new(ExitCodes.Usage, message);

    /// <summary>The command could not be done: exit code 1.</summary>
    public static CliException Failed(string message) => new(ExitCodes.Failure, message);
}
