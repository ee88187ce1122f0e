namespace MultiAgent.Repositories;

/// <summary>Which kind of host a repository lives on.</summary>
public enum RepositoryHostKind
{
    /// <summary>github.com or a GitHub Enterprise server, through its REST API.</summary>
    GitHub,

    /// <summary>A git repository on this machine's disk; pull requests are recorded in PostgreSQL.</summary>
    Local,
}

/// <summary>
/// A repository as the system identifies it, parsed from what a user types: <c>https://github.com/owner/repo(.git)</c>,
/// <c>git@github.com:owner/repo.git</c>, a GitHub Enterprise URL, a local path or a <c>file://</c> URL.
/// </summary>
/// <param name="Kind">The host kind.</param>
/// <param name="Key">A stable, canonical identity: <c>github.com/owner/repo</c>, <c>ghe.example.com/owner/repo</c>, or the absolute local path.</param>
/// <param name="Owner">GitHub owner (user or organisation); null for local repositories.</param>
/// <param name="Name">Repository name (for local ones, the folder name without <c>.git</c>).</param>
/// <param name="WebHost">GitHub web host (<c>github.com</c> or the Enterprise host); null for local ones.</param>
/// <param name="LocalPath">Absolute path of a local repository; null for GitHub ones.</param>
public sealed record RepositoryReference(
    RepositoryHostKind Kind,
    string Key,
    string Name,
    string? Owner = null,
    string? WebHost = null,
    string? LocalPath = null)
{
    /// <summary>Parses what a user typed; throws <see cref="RepositoryHostException"/> (InvalidReference) when it is none of the accepted forms.</summary>
    public static RepositoryReference Parse(string input) => RepositoryReferenceParser.Parse(input);

    public override string ToString() => Key;
}
