using MultiAgent.ServiceDefaults.Nats;

namespace MultiAgent.Cli.Connection;

/// <summary>
/// Removes credentials from text the CLI prints: every URL it was given is replaced by its redacted form
/// (<see cref="NatsConnectionString.Redact"/>), and every password or token by "***".
/// </summary>
internal sealed class Redactor
{
    private readonly List<(string Secret, string Replacement)> _replacements = [];

    public void AddUrl(string? url)
    {
        if (string.IsNullOrWhiteSpace(url))
        {
            return;
        }

        var redacted = NatsConnectionString.Redact(url);
        if (redacted != url)
        {
            _replacements.Add((url, redacted));

            // The credentials on their own, as a library might quote them (user:password, or the token).
            foreach (var part in url.Split(','))
            {
                var scheme = part.IndexOf("://", StringComparison.Ordinal);
                var at = part.LastIndexOf('@');
                if (at > 0)
                {
                    var userInfo = part[(scheme < 0 ? 0 : scheme + 3)..at];
                    var separator = userInfo.IndexOf(':', StringComparison.Ordinal);
                    AddSecret(separator < 0 ? userInfo : userInfo[(separator + 1)..]);
                    AddSecret(Uri.UnescapeDataString(separator < 0 ? userInfo : userInfo[(separator + 1)..]));
                }
            }
        }
    }

    public void AddSecret(string? secret)
    {
        // Very short secrets are left alone: replacing every "ab" would garble messages.
        if (secret is { Length: >= 3 })
        {
            _replacements.Add((secret, "***"));
        }
    }

    public string Redact(string text)
    {
        // Longest first, so that a URL is replaced whole before the password inside it.
        foreach (var (secret, replacement) in _replacements.OrderByDescending(r => r.Secret.Length))
        {
            text = text.Replace(secret, replacement, StringComparison.Ordinal);
        }

        return text;
    }
}
