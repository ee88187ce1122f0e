namespace MultiAgent.Repositories.Git;

/// <summary>Per-command settings of a <see cref="GitCli"/> run.</summary>
public sealed record GitRunOptions
{
    public static GitRunOptions Default { get; } = new();

    /// <summary>Author and committer of any commit the command creates.</summary>
    public GitIdentity? Identity { get; init; }

    /// <summary>
    /// HTTP headers git sends to the remote (e.g. Authorization), passed as <c>http.extraHeader</c> through
    /// <c>GIT_CONFIG_COUNT</c>/<c>GIT_CONFIG_KEY_n</c>/<c>GIT_CONFIG_VALUE_n</c>: never on the command line, never in a
    /// URL. Their values are redacted from all output.
    /// </summary>
    public IReadOnlyDictionary<string, string>? HttpHeaders { get; init; }

    /// <summary>Further configuration entries for this command only, passed the same way as the headers.</summary>
    public IReadOnlyList<KeyValuePair<string, string>>? Config { get; init; }

    /// <summary>Strings that must never appear in output or exception messages (replaced by <see cref="MultiAgent.Secrets.SecretRedactor.Mask"/>).</summary>
    public IReadOnlyList<string>? Secrets { get; init; }

    /// <summary>Environment changes for this command: a null value removes the variable.</summary>
    public IReadOnlyDictionary<string, string?>? Environment { get; init; }

    /// <summary>What the command reads on its standard input (e.g. <c>git fast-import</c>'s stream); none when null.</summary>
    public string? StandardInput { get; init; }

    /// <summary>Overrides <see cref="GitCliOptions.DefaultTimeout"/>.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>
    /// When true (the default) a non-zero exit becomes a <see cref="RepositoryHostException"/>; when false the
    /// <see cref="GitResult"/> is returned for the caller to inspect.
    /// </summary>
    public bool ThrowOnFailure { get; init; } = true;
}
