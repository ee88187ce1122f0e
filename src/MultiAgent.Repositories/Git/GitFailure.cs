namespace MultiAgent.Repositories.Git;

/// <summary>
/// Maps git's (English, <c>LC_ALL=C</c>) error output to a <see cref="RepositoryErrorKind"/>: unreachable hosts are
/// Unavailable (worth retrying), refused credentials Unauthorized or PermissionDenied, missing remotes NotFound,
/// branch protection ProtectedBranch; anything else GitFailed.
/// </summary>
internal static class GitFailure
{
    private static readonly (string Text, RepositoryErrorKind Kind)[] Patterns =
    [
        ("Authentication failed", RepositoryErrorKind.Unauthorized),
        ("returned error: 401", RepositoryErrorKind.Unauthorized),
        ("could not read Username", RepositoryErrorKind.Unauthorized),
        ("could not read Password", RepositoryErrorKind.Unauthorized),
        ("Permission denied (publickey", RepositoryErrorKind.Unauthorized),
        ("returned error: 403", RepositoryErrorKind.PermissionDenied),
        ("protected branch", RepositoryErrorKind.ProtectedBranch),
        ("Repository not found", RepositoryErrorKind.NotFound),
        ("returned error: 404", RepositoryErrorKind.NotFound),
        ("does not appear to be a git repository", RepositoryErrorKind.NotFound),
        ("' does not exist", RepositoryErrorKind.NotFound),
        ("Connection refused", RepositoryErrorKind.Unavailable),
        ("Could not resolve host", RepositoryErrorKind.Unavailable),
        ("Failed to connect", RepositoryErrorKind.Unavailable),
        ("Connection timed out", RepositoryErrorKind.Unavailable),
        ("Operation timed out", RepositoryErrorKind.Unavailable),
        ("Connection reset", RepositoryErrorKind.Unavailable),
        ("Empty reply from server", RepositoryErrorKind.Unavailable),
        ("returned error: 5", RepositoryErrorKind.Unavailable),
        ("The remote end hung up unexpectedly", RepositoryErrorKind.Unavailable),
    ];

    public static RepositoryErrorKind Classify(string error)
    {
        foreach (var (text, kind) in Patterns)
        {
            if (error.Contains(text, StringComparison.OrdinalIgnoreCase))
            {
                return kind;
            }
        }

        return RepositoryErrorKind.GitFailed;
    }

    /// <summary>The last <paramref name="max"/> characters of <paramref name="text"/> (git prints the fatal line last).</summary>
    public static string Tail(string text, int max)
    {
        text = text.Trim();
        return text.Length <= max ? text : "…" + text[^max..];
    }
}
