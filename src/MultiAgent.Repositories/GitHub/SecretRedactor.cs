using System.Text;

namespace MultiAgent.Repositories.GitHub;

/// <summary>Removes a token (and the forms it is sent in) from text that leaves the host: messages, logs.</summary>
internal sealed class SecretRedactor
{
    public const string Mask = "***";

    private readonly string[] _secrets;

    public SecretRedactor(string? token)
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

    public string Redact(string? text)
    {
        if (string.IsNullOrEmpty(text) || _secrets.Length == 0)
        {
            return text ?? string.Empty;
        }

        var builder = new StringBuilder(text);
        foreach (var secret in _secrets)
        {
            builder.Replace(secret, Mask);
        }

        return builder.ToString();
    }
}
