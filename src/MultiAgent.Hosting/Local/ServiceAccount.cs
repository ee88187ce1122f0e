namespace MultiAgent.Hosting.Local;

/// <summary>
/// How a server process is started under the right user. PostgreSQL refuses to run as root, so when the AppHost
/// is root the server runs as the <c>postgres</c> user through <c>setpriv</c>, which execs in place: the process
/// Aspire watches (and a test may kill) is the server itself, not a wrapper that could leave it orphaned.
/// </summary>
internal sealed record ServiceAccount(string? UserName)
{
    private const string SetPriv = "/usr/bin/setpriv";

    public static ServiceAccount ForPostgres() =>
        new(Environment.IsPrivilegedProcess ? "postgres" : null);

    public bool SwitchesUser => UserName is not null;

    /// <summary>The command that starts <paramref name="program"/>: the program itself, or setpriv.</summary>
    public string Command(string program) => SwitchesUser ? SetPriv : program;

    /// <summary>The arguments that go before the program's own.</summary>
    public IEnumerable<string> Prefix(string program) => SwitchesUser
        ? [$"--reuid={UserName}", $"--regid={UserName}", "--init-groups", "--", program]
        : [];

    /// <summary>Gives a folder (recursively) to the account; nothing to do when no user switch happens.</summary>
    public async Task TakeOwnershipAsync(string path, CancellationToken cancellationToken)
    {
        if (!SwitchesUser)
        {
            return;
        }

        var result = await ProcessRunner.RunAsync("chown", ["-R", $"{UserName}:{UserName}", path], cancellationToken);
        if (result.ExitCode != 0)
        {
            throw new LocalPrerequisiteException($"chown of '{path}' to {UserName} failed: {result.Output.Trim()}");
        }
    }

    /// <summary>Fails clearly when the account cannot reach <paramref name="path"/> (e.g. a checkout under /root).</summary>
    public async Task EnsureCanReachAsync(string path, CancellationToken cancellationToken)
    {
        if (!SwitchesUser)
        {
            return;
        }

        var result = await ProcessRunner.RunAsync(Command("/usr/bin/test"), [.. Prefix("/usr/bin/test"), "-w", path], cancellationToken);
        if (result.ExitCode != 0)
        {
            throw new LocalPrerequisiteException(
                $"PostgreSQL runs as user '{UserName}', which cannot reach '{path}'. " +
                "Point MultiAgent:DataRoot at a folder that user can reach (the default for root is /var/lib/multiagent).");
        }
    }
}
