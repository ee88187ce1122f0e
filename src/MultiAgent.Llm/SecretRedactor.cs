using System.Collections.Immutable;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;

namespace MultiAgent.Llm;

/// <summary>
/// Replaces secrets with <see cref="Mask"/> before text leaves the process (transcripts, failure messages): every
/// registered secret (API keys, tokens from configuration, anything a component registers), and values shaped like
/// credentials whether registered or not: <c>Bearer</c>/<c>Basic</c> tokens, <c>sk-…</c> keys, GitHub tokens
/// (<c>ghp_…</c>, <c>gho_…</c>, <c>ghs_…</c>, <c>github_pat_…</c>), <c>x-access-token:…</c>, user:password in URLs,
/// AWS access key ids, Slack and GitLab tokens, PEM private keys. Thread-safe.
/// </summary>
public sealed partial class SecretRedactor
{
    /// <summary>What a secret is replaced with.</summary>
    public const string Mask = "***";

    /// <summary>Shorter registered values are ignored: masking every "abc" would garble text and protect nothing.</summary>
    public const int MinimumSecretLength = 6;

    private ImmutableArray<string> _secrets = [];

    /// <summary>A redactor that knows <paramref name="secrets"/> (null and short values are skipped).</summary>
    public SecretRedactor(IEnumerable<string?>? secrets = null)
    {
        foreach (var secret in secrets ?? [])
        {
            Register(secret);
        }
    }

    /// <summary>How many secrets are registered.</summary>
    public int Count => _secrets.Length;

    /// <summary>Adds a secret to mask wherever it appears. Null, blank and short values are ignored.</summary>
    public void Register(string? secret)
    {
        if (string.IsNullOrWhiteSpace(secret))
        {
            return;
        }

        secret = secret.Trim();
        if (secret.Length < MinimumSecretLength)
        {
            return;
        }

        ImmutableInterlocked.Update(ref _secrets, static (secrets, value) => secrets.Contains(value)
            ? secrets
            // Longest first, so a secret that contains another is masked whole.
            : [.. secrets.Add(value).OrderByDescending(s => s.Length).ThenBy(s => s, StringComparer.Ordinal)], secret);
    }

    /// <summary>
    /// Registers the values of configuration keys that name a secret (…Token, …ApiKey, …Secret, …Password, …Pat,
    /// …ClientSecret) and the passwords in connection strings.
    /// </summary>
    public void RegisterFromConfiguration(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        foreach (var (key, value) in configuration.AsEnumerable())
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                continue;
            }

            var name = key[(key.LastIndexOf(':') + 1)..];
            if (SecretKeyName().IsMatch(name))
            {
                Register(value);
            }

            foreach (Match match in ConnectionStringPassword().Matches(value))
            {
                Register(match.Groups["password"].Value);
            }
        }
    }

    /// <summary>The text with every secret masked; null stays null.</summary>
    public string? Redact(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text;
        }

        foreach (var secret in _secrets)
        {
            text = text.Replace(secret, Mask, StringComparison.Ordinal);
        }

        text = PrivateKey().Replace(text, "-----BEGIN PRIVATE KEY-----" + Mask + "-----END PRIVATE KEY-----");
        text = AuthorizationScheme().Replace(text, m => m.Groups["scheme"].Value + " " + Mask);
        text = AccessToken().Replace(text, "x-access-token:" + Mask);
        text = UrlCredentials().Replace(text, m => m.Groups["scheme"].Value + Mask + "@");
        return TokenShapes().Replace(text, Mask);
    }

    /// <summary>A copy of <paramref name="node"/> with every string value redacted (property names are kept).</summary>
    public JsonNode? Redact(JsonNode? node) => TranscriptJson.Transform(node, value => Redact(value) ?? "");

    [GeneratedRegex(@"^(?:.*(?:token|apikey|api_key|secret|password|passwd|pat))$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SecretKeyName();

    [GeneratedRegex(@"(?:^|;)\s*(?:password|pwd)\s*=\s*(?<password>[^;]+)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ConnectionStringPassword();

    [GeneratedRegex(@"-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----", RegexOptions.CultureInvariant)]
    private static partial Regex PrivateKey();

    // A credential, not a word: it has a digit, '+', '/' or '=', or a capital after a small letter ("Basic
    // authentication" stays as it is).
    [GeneratedRegex(
        @"\b(?<scheme>(?i:bearer|basic))\s+(?=[A-Za-z0-9\-._~+/]*(?:[0-9+/=]|[a-z][A-Za-z0-9\-._~+/]*[A-Z]))[A-Za-z0-9\-._~+/]{8,}=*",
        RegexOptions.CultureInvariant)]
    private static partial Regex AuthorizationScheme();

    [GeneratedRegex(@"x-access-token:(?!\*\*\*)[^@\s/'""]+", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex AccessToken();

    [GeneratedRegex(@"(?<scheme>\b[a-zA-Z][a-zA-Z0-9+.\-]*://)[^/\s@:'""]+:[^/\s@'""]+@", RegexOptions.CultureInvariant)]
    private static partial Regex UrlCredentials();

    [GeneratedRegex(
        @"\bsk-[A-Za-z0-9_\-]{16,}|\bgh[pousr]_[A-Za-z0-9]{20,}|\bgithub_pat_[A-Za-z0-9_]{20,}|\bglpat-[A-Za-z0-9_\-]{20,}" +
        @"|\bxox[abprs]-[A-Za-z0-9\-]{10,}|\b(?:AKIA|ASIA)[0-9A-Z]{16}\b",
        RegexOptions.CultureInvariant)]
    private static partial Regex TokenShapes();
}
