using System.Globalization;
using System.Text;

namespace MultiAgent.Llm;

/// <summary>Which wire protocol a model provider speaks.</summary>
public enum LlmProvider
{
    /// <summary>
    /// Any OpenAI-compatible Chat Completions endpoint: OpenAI, Azure OpenAI's <c>/openai/v1</c> endpoint, Ollama,
    /// vLLM, LM Studio, ….
    /// </summary>
    OpenAI,

    /// <summary>Anthropic's Messages API.</summary>
    Anthropic,

    /// <summary>
    /// No model: each agent's answers are played back, in order, from a recorded session (<see cref="LlmOptions.ReplayFile"/>):
    /// the demo's, or a real job's transcript (trajectory replay). No endpoint, no key.
    /// </summary>
    Replay,
}

/// <summary>Token prices for the cost estimate, in any currency (the same one for both).</summary>
public sealed class LlmPrices
{
    /// <summary>Price of one million input (prompt) tokens.</summary>
    public decimal? InputPerMillionTokens { get; set; }

    /// <summary>Price of one million output (completion) tokens.</summary>
    public decimal? OutputPerMillionTokens { get; set; }

    /// <summary>Both prices, when both are set.</summary>
    internal (decimal Input, decimal Output)? Both =>
        InputPerMillionTokens is { } input && OutputPerMillionTokens is { } output ? (input, output) : null;

    internal LlmPrices Clone() => new() { InputPerMillionTokens = InputPerMillionTokens, OutputPerMillionTokens = OutputPerMillionTokens };
}

/// <summary>
/// How one agent talks to its model: bound from <c>MultiAgent:Llm</c>, overridden key by key by
/// <c>MultiAgent:Llm:Agents:&lt;coder|reviewer|repomanager&gt;</c> (see <see cref="LlmConfiguration"/>).
/// <see cref="ToString"/> never shows <see cref="ApiKey"/>.
/// </summary>
public sealed class LlmOptions
{
    /// <summary>The configuration section of the defaults.</summary>
    public const string SectionName = "MultiAgent:Llm";

    /// <summary>OpenAI's endpoint, used when <see cref="Provider"/> is OpenAI and no <see cref="Endpoint"/> is set.</summary>
    public static readonly Uri OpenAIDefaultEndpoint = new("https://api.openai.com/v1/");

    /// <summary>Anthropic's endpoint, used when <see cref="Provider"/> is Anthropic and no <see cref="Endpoint"/> is set.</summary>
    public static readonly Uri AnthropicDefaultEndpoint = new("https://api.anthropic.com/");

    /// <summary>The wire protocol; OpenAI (compatible) unless set.</summary>
    public LlmProvider Provider { get; set; } = LlmProvider.OpenAI;

    /// <summary>
    /// Base URL of the API: <c>http://localhost:11434/v1</c> (Ollama), <c>http://localhost:8000/v1</c> (vLLM),
    /// <c>https://my-resource.openai.azure.com/openai/v1/</c> (Azure OpenAI). Defaults to the provider's own.
    /// </summary>
    public string? Endpoint { get; set; }

    /// <summary>The recorded session a <see cref="LlmProvider.Replay"/> provider plays back (a JSON file, see docs/llm.md).</summary>
    public string? ReplayFile { get; set; }

    /// <summary>The secret API key. Never logged, never stored in a transcript.</summary>
    public string? ApiKey { get; set; }

    /// <summary>The model (Azure OpenAI: the deployment name).</summary>
    public string? Model { get; set; }

    /// <summary>Sampling temperature, unless the caller sets one per call.</summary>
    public float? Temperature { get; set; }

    /// <summary>Most tokens one response may have, unless the caller sets it per call.</summary>
    public int? MaxOutputTokens { get; set; }

    /// <summary>How long one HTTP attempt may take, from sending to the whole (non-streamed) body.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(120);

    /// <summary>Retries after the first attempt, for 408/429/5xx, timeouts and connection failures.</summary>
    public int MaxRetries { get; set; } = 4;

    /// <summary>
    /// The longest Retry-After waited out inside the call. A longer one ends the call at once with a retryable
    /// failure carrying the wait, so the task is redelivered later instead of holding the agent.
    /// </summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>First back-off delay when the provider does not say how long to wait; doubled per retry, with jitter.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Prices for the cost estimate; none when not set.</summary>
    public LlmPrices? Prices { get; set; }

    /// <summary>Whether an API key is configured.</summary>
    public bool HasApiKey => !string.IsNullOrWhiteSpace(ApiKey);

    /// <summary>The endpoint in effect: <see cref="Endpoint"/>, or the provider's default.</summary>
    /// <exception cref="LlmConfigurationException">The endpoint is not an absolute http(s) URL.</exception>
    public Uri ResolvedEndpoint
    {
        get
        {
            if (string.IsNullOrWhiteSpace(Endpoint))
            {
                return Provider == LlmProvider.Anthropic ? AnthropicDefaultEndpoint : OpenAIDefaultEndpoint;
            }

            if (!Uri.TryCreate(Endpoint.Trim(), UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                throw new LlmConfigurationException($"The LLM endpoint '{SafeEndpoint(Endpoint)}' is not an absolute http(s) URL.");
            }

            // A base URL without a trailing slash would lose its last segment when paths are appended to it.
            return uri.AbsoluteUri.EndsWith('/') ? uri : new Uri(uri.AbsoluteUri + "/");
        }
    }

    /// <summary>
    /// Whether this provider needs an API key: Anthropic always; OpenAI at OpenAI's and Azure's hosts. Self-hosted
    /// OpenAI-compatible servers (Ollama, vLLM) may run without one.
    /// </summary>
    public bool RequiresApiKey
    {
        get
        {
            if (Provider == LlmProvider.Replay)
            {
                return false;
            }

            if (Provider == LlmProvider.Anthropic || string.IsNullOrWhiteSpace(Endpoint))
            {
                return true;
            }

            if (!Uri.TryCreate(Endpoint.Trim(), UriKind.Absolute, out var uri))
            {
                return false;
            }

            var host = uri.Host;
            return host.EndsWith("openai.com", StringComparison.OrdinalIgnoreCase)
                || host.EndsWith(".azure.com", StringComparison.OrdinalIgnoreCase)
                || host.EndsWith("anthropic.com", StringComparison.OrdinalIgnoreCase);
        }
    }

    /// <summary>
    /// What is wrong with these options, one sentence each, naming the configuration key under
    /// <paramref name="section"/> (e.g. <c>MultiAgent:Llm:Agents:coder</c>); empty when they are usable.
    /// </summary>
    public IReadOnlyList<string> Validate(string section = SectionName)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(Model))
        {
            errors.Add($"{section}:Model is not set: name the model (for Azure OpenAI, the deployment).");
        }

        if (Provider == LlmProvider.Replay && string.IsNullOrWhiteSpace(ReplayFile))
        {
            errors.Add($"{section}:ReplayFile is not set: the Replay provider plays back a recorded session from that file.");
        }
        else if (Provider == LlmProvider.Replay && !File.Exists(ReplayFile))
        {
            errors.Add($"{section}:ReplayFile: there is no file '{ReplayFile}'.");
        }

        if (!string.IsNullOrWhiteSpace(Endpoint))
        {
            try
            {
                _ = ResolvedEndpoint;
            }
            catch (LlmConfigurationException ex)
            {
                errors.Add($"{section}:Endpoint: {ex.Message}");
            }
        }

        if (RequiresApiKey && !HasApiKey)
        {
            var where = string.IsNullOrWhiteSpace(Endpoint) ? ResolvedEndpoint.Host : SafeEndpoint(Endpoint);
            errors.Add($"{section}:ApiKey is not set: {Provider} at {where} needs an API key.");
        }

        if (Temperature is < 0 or > 2)
        {
            errors.Add($"{section}:Temperature must be between 0 and 2 (it is {Temperature.Value.ToString(CultureInfo.InvariantCulture)}).");
        }

        if (MaxOutputTokens is <= 0)
        {
            errors.Add($"{section}:MaxOutputTokens must be positive (it is {MaxOutputTokens}).");
        }

        if (RequestTimeout <= TimeSpan.Zero)
        {
            errors.Add($"{section}:RequestTimeout must be positive (it is {RequestTimeout}).");
        }

        if (MaxRetries is < 0 or > 20)
        {
            errors.Add($"{section}:MaxRetries must be between 0 and 20 (it is {MaxRetries}).");
        }

        if (MaxRetryAfter < TimeSpan.Zero)
        {
            errors.Add($"{section}:MaxRetryAfter must not be negative (it is {MaxRetryAfter}).");
        }

        if (RetryBaseDelay < TimeSpan.Zero)
        {
            errors.Add($"{section}:RetryBaseDelay must not be negative (it is {RetryBaseDelay}).");
        }

        if (Prices is { } prices)
        {
            if (prices.InputPerMillionTokens is null != prices.OutputPerMillionTokens is null)
            {
                errors.Add($"{section}:Prices needs both InputPerMillionTokens and OutputPerMillionTokens, or neither.");
            }

            if (prices.InputPerMillionTokens < 0 || prices.OutputPerMillionTokens < 0)
            {
                errors.Add($"{section}:Prices must not be negative.");
            }
        }

        return errors;
    }

    /// <summary>A deep copy.</summary>
    public LlmOptions Clone()
    {
        var copy = (LlmOptions)MemberwiseClone();
        copy.Prices = Prices?.Clone();
        return copy;
    }

    /// <summary>The settings with the API key masked.</summary>
    public override string ToString()
    {
        var text = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"Provider={Provider}, Endpoint={(Endpoint is null ? "(default)" : SafeEndpoint(Endpoint))}, ")
            .Append(CultureInfo.InvariantCulture, $"Model={Model ?? "(not set)"}, ApiKey={(HasApiKey ? "***" : "(not set)")}, ")
            .Append(CultureInfo.InvariantCulture, $"Temperature={Temperature?.ToString(CultureInfo.InvariantCulture) ?? "(default)"}, ")
            .Append(CultureInfo.InvariantCulture, $"MaxOutputTokens={MaxOutputTokens?.ToString(CultureInfo.InvariantCulture) ?? "(default)"}, ")
            .Append(CultureInfo.InvariantCulture, $"RequestTimeout={RequestTimeout}, MaxRetries={MaxRetries}, MaxRetryAfter={MaxRetryAfter}");
        if (Prices?.Both is { } both)
        {
            text.Append(CultureInfo.InvariantCulture, $", Prices={both.Input}/{both.Output} per million tokens");
        }

        return text.ToString();
    }

    /// <summary>An endpoint as it may be shown: any user:password in it masked.</summary>
    internal static string SafeEndpoint(string endpoint) =>
        Uri.TryCreate(endpoint.Trim(), UriKind.Absolute, out var uri) && uri.UserInfo.Length > 0
            ? new UriBuilder(uri) { UserName = "***", Password = "" }.Uri.AbsoluteUri
            : endpoint.Trim();
}
