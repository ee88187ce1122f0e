using System.Text.RegularExpressions;

namespace MultiAgent.Repositories;

/// <summary>Turns what a user types into a <see cref="RepositoryReference"/>.</summary>
internal static partial class RepositoryReferenceParser
{
    public static RepositoryReference Parse(string input)
    {
        var text = input?.Trim() ?? string.Empty;
        if (text.Length == 0)
        {
            throw Invalid(input, "it is empty");
        }

        if (ScpLike().Match(text) is { Success: true } scp)
        {
            return GitHub(scp.Groups["host"].Value, scp.Groups["owner"].Value, scp.Groups["name"].Value, input!);
        }

        if (text.StartsWith("file://", StringComparison.OrdinalIgnoreCase))
        {
            if (!Uri.TryCreate(text, UriKind.Absolute, out var fileUri) || !fileUri.IsFile)
            {
                throw Invalid(input, "it is not a valid file:// URL");
            }

            return Local(fileUri.LocalPath);
        }

        if (text.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || text.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || !string.IsNullOrEmpty(uri.UserInfo))
            {
                throw Invalid(input, "it is not a valid URL (and credentials never go in a repository URL)");
            }

            var segments = uri.AbsolutePath.Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries);
            if (segments.Length != 2)
            {
                throw Invalid(input, "a GitHub URL has the form https://host/owner/repo");
            }

            return GitHub(uri.Host, segments[0], segments[1], input!);
        }

        if (text.StartsWith('/') || text.StartsWith("./", StringComparison.Ordinal) || text.StartsWith("../", StringComparison.Ordinal) || text.StartsWith('~'))
        {
            var path = text.StartsWith('~')
                ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), text[1..].TrimStart('/'))
                : text;
            return Local(path);
        }

        throw Invalid(input, "expected https://github.com/owner/repo, git@github.com:owner/repo.git, a local path or a file:// URL");
    }

    private static RepositoryReference GitHub(string host, string owner, string name, string input)
    {
        name = name.EndsWith(".git", StringComparison.OrdinalIgnoreCase) ? name[..^4] : name;
        if (!NamePart().IsMatch(owner) || !NamePart().IsMatch(name))
        {
            throw Invalid(input, "owner and repository names may hold letters, digits, '-', '_' and '.'");
        }

        host = host.ToLowerInvariant();
        return new RepositoryReference(RepositoryHostKind.GitHub, $"{host}/{owner}/{name}", name, owner, host);
    }

    private static RepositoryReference Local(string path)
    {
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        var name = Path.GetFileName(full);
        name = name.EndsWith(".git", StringComparison.OrdinalIgnoreCase) ? name[..^4] : name;
        return new RepositoryReference(RepositoryHostKind.Local, full, name, LocalPath: full);
    }

    /// <summary>Credential shapes only (a reference may carry user:password or a token in its URL).</summary>
    private static readonly MultiAgent.Secrets.SecretRedactor Redactor = new();

    /// <summary>The error for <paramref name="input"/>, with any credentials in it masked.</summary>
    private static RepositoryHostException Invalid(string? input, string why) =>
        new(RepositoryErrorKind.InvalidReference, $"'{Redactor.Redact(input)}' is not a repository reference: {why}.");

    [GeneratedRegex(@"^(?:ssh://)?git@(?<host>[A-Za-z0-9.\-]+)[:/](?<owner>[^/\s]+)/(?<name>[^/\s]+?)/?$")]
    private static partial Regex ScpLike();

    [GeneratedRegex(@"^[A-Za-z0-9_.\-]+$")]
    private static partial Regex NamePart();
}
