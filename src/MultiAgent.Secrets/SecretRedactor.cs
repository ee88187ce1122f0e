using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;

namespace MultiAgent.Secrets;

/// <summary>
/// The one secret redactor. Replaces secrets with <see cref="Mask"/> before text leaves a process (logs, NATS messages,
/// task and job rows, pull request and review text, tool output for the model, transcripts, CLI messages): every
/// registered secret (configuration values whose key names a secret, connection string and URL passwords, anything a
/// component registers), and values shaped like credentials whether registered or not: <c>Bearer</c>/<c>Basic</c>
/// tokens, <c>sk-…</c> keys, GitHub tokens (<c>ghp_…</c>, <c>gho_…</c>, <c>ghs_…</c>, <c>github_pat_…</c>),
/// <c>x-access-token:…</c>, user:password in URLs, AWS access key ids, Slack and GitLab tokens, PEM private keys.
/// Thread-safe; secrets may be registered while others redact.
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

    /// <summary>A redactor that knows every secret in <paramref name="configuration"/> (see <see cref="RegisterFromConfiguration"/>).</summary>
    public static SecretRedactor FromConfiguration(IConfiguration configuration)
    {
        var redactor = new SecretRedactor();
        redactor.RegisterFromConfiguration(configuration);
        return redactor;
    }

    /// <summary>How many secrets are registered.</summary>
    public int Count => _secrets.Length;

    /// <summary>
    /// Adds a secret to mask wherever it appears, with the forms it travels in: URL-escaped (in a URL's user
    /// information) and JSON-escaped. Null, blank and short values are ignored.
    /// </summary>
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

        var forms = new[] { secret, Uri.EscapeDataString(secret), JsonEncodedText.Encode(secret).Value };
        ImmutableInterlocked.Update(ref _secrets, static (secrets, values) =>
        {
            var added = values.Where(v => !secrets.Contains(v)).Distinct().ToArray();
            return added.Length == 0
                ? secrets
                // Longest first, so a secret that contains another is masked whole.
                : [.. secrets.AddRange(added).OrderByDescending(s => s.Length).ThenBy(s => s, StringComparer.Ordinal)];
        }, forms);
    }

    /// <summary>
    /// Whether the configuration key <paramref name="key"/> names a secret: its last segment ends in Token, ApiKey,
    /// Secret, Password, Pat or WebhookUrl (<c>MultiAgent:GitHub:Token</c>, <c>…:Slack:WebhookUrl</c>).
    /// </summary>
    public static bool IsSecretSetting(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return SecretKeyName().IsMatch(key[(key.LastIndexOf(':') + 1)..]);
    }

    /// <summary>
    /// Registers the values of configuration keys that name a secret (…Token, …ApiKey, …Secret, …Password, …Pat,
    /// …WebhookUrl), the passwords in connection strings (<c>Password=…</c>) and the passwords of URLs with user
    /// information (<c>nats://user:password@host</c>).
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

            if (IsSecretSetting(key))
            {
                Register(value);
            }

            foreach (Match match in ConnectionStringPassword().Matches(value))
            {
                Register(match.Groups["password"].Value);
            }

            RegisterUrlCredentials(value);
        }
    }

    /// <summary>
    /// Registers the credentials in the URLs of <paramref name="text"/> (any number of them, each with its scheme): the
    /// password of <c>scheme://user:password@host</c> or the token of <c>scheme://token@host</c>, as written and
    /// unescaped.
    /// </summary>
    public void RegisterUrlCredentials(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return;
        }

        foreach (Match match in UrlUserInformation().Matches(text))
        {
            var secret = match.Groups["password"].Success ? match.Groups["password"].Value : match.Groups["token"].Value;
            Register(secret);
            Register(Uri.UnescapeDataString(secret));
        }
    }

    /// <summary>Whether <paramref name="text"/> holds a registered secret or a credential shape.</summary>
    public bool Finds(string? text) => !string.IsNullOrEmpty(text) && Redact(text) != text;

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
    public JsonNode? Redact(JsonNode? node) => node switch
    {
        null => null,
        JsonObject obj => new JsonObject(obj.Select(p => KeyValuePair.Create(p.Key, Redact(p.Value)))),
        JsonArray array => new JsonArray([.. array.Select(Redact)]),
        JsonValue value when value.GetValueKind() == JsonValueKind.String => JsonValue.Create(Redact(value.GetValue<string>())),
        _ => node.DeepClone(),
    };

    /// <summary>
    /// <paramref name="element"/> with every string value redacted; the same element when nothing in it is a secret
    /// (the common case costs one walk, no copy).
    /// </summary>
    public JsonElement Redact(JsonElement element)
    {
        if (element.ValueKind == JsonValueKind.Undefined || !HoldsSecret(element))
        {
            return element;
        }

        using var redacted = JsonDocument.Parse(Redact(JsonNode.Parse(element.GetRawText()))!.ToJsonString());
        return redacted.RootElement.Clone();
    }

    private bool HoldsSecret(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => Finds(element.GetString()),
        JsonValueKind.Object => element.EnumerateObject().Any(p => HoldsSecret(p.Value)),
        JsonValueKind.Array => element.EnumerateArray().Any(HoldsSecret),
        _ => false,
    };

    [GeneratedRegex(@"^(?:.*(?:token|apikey|api_key|secret|password|passwd|pat|webhookurl|webhook_url))$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SecretKeyName();

    [GeneratedRegex(@"(?:^|;)\s*(?:password|pwd)\s*=\s*(?<password>[^;]+)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ConnectionStringPassword();

    [GeneratedRegex(@"\b[a-zA-Z][a-zA-Z0-9+.\-]*://(?:[^/\s@:'"",]+:(?<password>[^/\s@'"",]+)|(?<token>[^/\s@:'"",]+))@", RegexOptions.CultureInvariant)]
    private static partial Regex UrlUserInformation();

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

    // user:password@ or token@ after a scheme.
    [GeneratedRegex(@"(?<scheme>\b[a-zA-Z][a-zA-Z0-9+.\-]*://)[^/\s@'""]+@", RegexOptions.CultureInvariant)]
    private static partial Regex UrlCredentials();

    [GeneratedRegex(
        @"\bsk-[A-Za-z0-9_\-]{16,}|\bgh[pousr]_[A-Za-z0-9]{20,}|\bgithub_pat_[A-Za-z0-9_]{20,}|\bglpat-[A-Za-z0-9_\-]{20,}" +
        @"|\bxox[abprs]-[A-Za-z0-9\-]{10,}|\b(?:AKIA|ASIA)[0-9A-Z]{16}\b",
        RegexOptions.CultureInvariant)]
    private static partial Regex TokenShapes();
}
