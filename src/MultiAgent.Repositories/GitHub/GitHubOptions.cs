using System.Globalization;

namespace MultiAgent.Repositories.GitHub;

/// <summary>
/// How the GitHub host talks to github.com or a GitHub Enterprise server. Bound from <see cref="SectionName"/>.
/// <see cref="ToString"/> never shows <see cref="Token"/>.
/// </summary>
public sealed class GitHubOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "MultiAgent:GitHub";

    /// <summary>The default REST API root (github.com).</summary>
    public const string DefaultApiBaseUrl = "https://api.github.com/";

    /// <summary>
    /// A personal access token or installation token (a secret). Sent as a bearer token to the API and, for git, as
    /// <c>x-access-token</c> basic credentials in an HTTP header. Without it every call fails with Unauthorized.
    /// </summary>
    public string? Token { get; set; }

    /// <summary>
    /// The REST API root: <c>https://api.github.com/</c>, or <c>https://host/api/v3/</c> for GitHub Enterprise Server.
    /// </summary>
    public string ApiBaseUrl { get; set; } = DefaultApiBaseUrl;

    /// <summary>
    /// The longest the host waits for a rate limit to reset (or for a <c>Retry-After</c>) before retrying once; a longer
    /// wait fails at once with RateLimited and the time to wait in <see cref="RepositoryHostException.RetryAfter"/>.
    /// </summary>
    public TimeSpan MaxRateLimitWait { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How long one HTTP attempt may take before it counts as timed out (and is retried).</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How many times a request that failed with 5xx, 408, a timeout or a broken connection is retried.</summary>
    public int MaxRetries { get; set; } = 3;

    /// <summary>The first retry's back-off; each further retry doubles it (with jitter, capped at 30 s).</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>True when a token is configured.</summary>
    public bool HasToken => !string.IsNullOrWhiteSpace(Token);

    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"GitHubOptions {{ ApiBaseUrl = {ApiBaseUrl}, Token = {(HasToken ? "(set)" : "(not set)")}, " +
        $"MaxRateLimitWait = {MaxRateLimitWait}, RequestTimeout = {RequestTimeout}, MaxRetries = {MaxRetries}, RetryBaseDelay = {RetryBaseDelay} }}");
}
