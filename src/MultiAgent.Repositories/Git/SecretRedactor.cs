using System.Text.RegularExpressions;

namespace MultiAgent.Repositories.Git;

/// <summary>Removes secrets from text that may be logged or put into an exception message.</summary>
public static partial class SecretRedactor
{
    /// <summary>What a secret is replaced with.</summary>
    public const string Mask = "***";

    /// <summary>
    /// Replaces every occurrence of each non-empty secret (longest first) and any credentials embedded in a URL
    /// (<c>scheme://user:password@</c>, <c>scheme://token@</c>) with <see cref="Mask"/>.
    /// </summary>
    public static string Redact(string? text, IEnumerable<string?>? secrets)
    {
        if (string.IsNullOrEmpty(text))
        {
            return string.Empty;
        }

        if (secrets is not null)
        {
            foreach (var secret in secrets.OfType<string>().Where(s => s.Length > 0).Distinct().OrderByDescending(s => s.Length))
            {
                text = text.Replace(secret, Mask, StringComparison.Ordinal);
            }
        }

        return UrlCredentials().Replace(text, "${scheme}://" + Mask + "@");
    }

    /// <summary>
    /// The secrets an HTTP header carries: the whole <c>Name: value</c> line, the value, and each longer word of the
    /// value (the token of <c>Bearer token</c> or <c>Basic base64</c>).
    /// </summary>
    public static IEnumerable<string> SecretsOfHeader(string name, string value)
    {
        yield return $"{name}: {value}";
        yield return value;
        foreach (var word in value.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (word.Length >= 8)
            {
                yield return word;
            }
        }
    }

    [GeneratedRegex(@"(?<scheme>[A-Za-z][A-Za-z0-9+.\-]*)://[^/\s@]+@")]
    private static partial Regex UrlCredentials();
}
