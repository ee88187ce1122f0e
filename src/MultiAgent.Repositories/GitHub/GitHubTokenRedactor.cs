using MultiAgent.Secrets;

namespace MultiAgent.Repositories.GitHub;

/// <summary>
/// The GitHub token in every form it is sent in (plain, URL-escaped, as a basic credential), removed from text that
/// leaves the host (messages, logs) by a <see cref="SecretRedactor"/> that knows those forms.
/// </summary>
internal sealed class GitHubTokenRedactor
{
    public const string Mask = SecretRedactor.Mask;

    private readonly string[] _secrets;
    private readonly SecretRedactor _redactor;

    public GitHubTokenRedactor(string? token)
    {
        _secrets = string.IsNullOrWhiteSpace(token)
            ? []
            : new[] { token, Uri.EscapeDataString(token), GitHubHost.BasicCredential(token) }.Distinct(StringComparer.Ordinal).ToArray();
        _redactor = new SecretRedactor(_secrets);
    }

    public bool Contains(string? text) =>
        !string.IsNullOrEmpty(text) && _secrets.Any(secret => text.Contains(secret, StringComparison.Ordinal));

    public string Redact(string? text) => _redactor.Redact(text) ?? "";
}
