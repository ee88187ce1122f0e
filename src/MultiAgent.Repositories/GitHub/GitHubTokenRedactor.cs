namespace MultiAgent.Repositories.GitHub;

/// <summary>
/// The GitHub token in every form it is sent in (plain, URL-escaped, as a basic credential), removed from text that
/// leaves the host (messages, logs) through the shared <see cref="Git.SecretRedactor"/>.
/// </summary>
internal sealed class GitHubTokenRedactor
{
    public const string Mask = Git.SecretRedactor.Mask;

    private readonly string[] _secrets;

    public GitHubTokenRedactor(string? token)
    {
        if (string.IsNullOrWhiteSpace(token))
        {
            _secrets = [];
            return;
        }

        _secrets = new[] { token, Uri.EscapeDataString(token), GitHubHost.BasicCredential(token) }
            .Distinct(StringComparer.Ordinal)
            .OrderByDescending(s => s.Length)
            .ToArray();
    }

    public bool Contains(string? text) =>
        !string.IsNullOrEmpty(text) && _secrets.Any(secret => text.Contains(secret, StringComparison.Ordinal));

    public string Redact(string? text) => Git.SecretRedactor.Redact(text, _secrets);
}
