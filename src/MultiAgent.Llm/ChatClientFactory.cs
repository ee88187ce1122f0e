using System.ClientModel;
using System.ClientModel.Primitives;
using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Anthropic;
using Anthropic.Core;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MultiAgent.Contracts;
using MultiAgent.Llm.Http;
using MultiAgent.Secrets;
using OpenAI;

namespace MultiAgent.Llm;

/// <summary>
/// Builds each agent's <see cref="IChatClient"/>: the provider's client (OpenAI-compatible or Anthropic) over an
/// <see cref="HttpClient"/> whose pipeline is ours (<see cref="LlmResilienceHandler"/>: timeouts, retries,
/// Retry-After; the SDKs' own retries are off), wrapped by Microsoft.Extensions.AI middleware: the agent's default
/// model/temperature/max tokens, OpenTelemetry (source <see cref="TelemetrySourceName"/>), a session's usage and
/// transcript, and the mapping of failures to the runtime's retryable/non-retryable exceptions.
/// </summary>
/// <remarks>
/// The provider client of each agent is made once, from the options in effect then, and shared by every client
/// this factory returns for that agent (it is thread-safe); disposing a returned client leaves it alone, disposing
/// the factory disposes it.
/// </remarks>
public sealed class ChatClientFactory : IDisposable
{
    /// <summary>The ActivitySource and Meter name of the model calls' telemetry.</summary>
    public const string TelemetrySourceName = "MultiAgent.Llm";

    private readonly LlmConfiguration _configuration;
    private readonly SecretRedactor _redactor;
    private readonly ILoggerFactory _loggerFactory;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<AgentType, Lazy<ProviderClient>> _providers = new();
    private bool _disposed;

    /// <param name="configuration">Where each agent's options come from.</param>
    /// <param name="redactor">Learns the API keys; masks secrets in failure messages.</param>
    /// <param name="loggerFactory">For retries and telemetry.</param>
    /// <param name="timeProvider">The clock for timeouts and back-off.</param>
    public ChatClientFactory(
        LlmConfiguration configuration, SecretRedactor redactor, ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(redactor);
        _configuration = configuration;
        _redactor = redactor;
        foreach (var key in configuration.ApiKeys())
        {
            redactor.Register(key);
        }

        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>The agent's options in effect (validated).</summary>
    /// <exception cref="LlmConfigurationException">The agent's LLM settings are missing or wrong.</exception>
    public LlmOptions OptionsFor(AgentType agent) => Provider(agent).Options.Clone();

    /// <summary>A chat client for <paramref name="agent"/>, without usage or transcript (see <see cref="LlmSessionFactory"/>).</summary>
    /// <exception cref="LlmConfigurationException">The agent's LLM settings are missing or wrong.</exception>
    public IChatClient Create(AgentType agent) => Create(agent, usage: null, transcript: null);

    internal IChatClient Create(AgentType agent, LlmUsage? usage, LlmTranscript? transcript, JobBudget? budget = null, TokenUsage? spent = null)
    {
        var provider = Provider(agent);
        var options = provider.Options;
        var builder = new ChatClientBuilder(new NonDisposingChatClient(provider.Client))
            .ConfigureOptions(o =>
            {
                o.ModelId ??= options.Model;
                o.Temperature ??= options.Temperature;
                o.MaxOutputTokens ??= options.MaxOutputTokens;
            })
            .UseOpenTelemetry(_loggerFactory, TelemetrySourceName);
        if (usage is not null)
        {
            builder.Use(inner => new UsageChatClient(inner, usage));
        }

        if (transcript is not null)
        {
            var logger = _loggerFactory.CreateLogger<TranscriptChatClient>();
            builder.Use(inner => new TranscriptChatClient(inner, transcript, _time, logger));
        }

        builder.Use(inner => new FailureMappingChatClient(inner, options.Model, _redactor));
        if (budget is { IsSet: true } && usage is not null)
        {
            // Outermost: a call past the job's budget is refused before it is made (or recorded).
            builder.Use(inner => new BudgetChatClient(inner, usage, budget, spent ?? TokenUsage.Zero));
        }

        return builder.Build();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (var provider in _providers.Values.Where(p => p.IsValueCreated))
        {
            provider.Value.Dispose();
        }
    }

    private ProviderClient Provider(AgentType agent)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var lazy = _providers.GetOrAdd(agent, a => new Lazy<ProviderClient>(() => CreateProvider(a)));
        try
        {
            return lazy.Value;
        }
        catch (LlmConfigurationException)
        {
            // Not cached: a corrected configuration is picked up by the next call.
            _providers.TryRemove(new KeyValuePair<AgentType, Lazy<ProviderClient>>(agent, lazy));
            throw;
        }
    }

    private ProviderClient CreateProvider(AgentType agent)
    {
        var options = _configuration.ValidatedFor(agent);
        if (options.Provider == LlmProvider.Replay)
        {
            return new ProviderClient(options, new ReplayChatClient(ReplaySession.Load(options.ReplayFile!), agent), Http: null);
        }

        _redactor.Register(options.ApiKey);
        var endpoint = options.ResolvedEndpoint;

        var handler = new LlmResilienceHandler(
            options,
            new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5), ConnectTimeout = options.RequestTimeout },
            _loggerFactory.CreateLogger<LlmResilienceHandler>(),
            _time,
            _redactor);
        // Timeouts are the handler's, per attempt.
        var http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        var budget = CallBudget(options);

        // Each provider's SDK in a method of its own: compiling code that names a provider's types loads its assembly,
        // and an agent needs only the one it talks to (Anthropic's alone is 11 MB).
        IChatClient client = options.Provider switch
        {
            LlmProvider.OpenAI => OpenAIChatClient(options, endpoint, http, budget),
            LlmProvider.Anthropic => AnthropicChatClient(options, endpoint, http, budget),
            _ => throw new LlmConfigurationException($"Unknown LLM provider {options.Provider}."),
        };

        return new ProviderClient(options, client, http);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static IChatClient OpenAIChatClient(LlmOptions options, Uri endpoint, HttpClient http, TimeSpan budget) =>
        new OpenAIClient(
                // Without a key, the handler drops the Authorization header the SDK insists on sending.
                new ApiKeyCredential(options.HasApiKey ? options.ApiKey!.Trim() : "unused"),
                new OpenAIClientOptions
                {
                    Endpoint = endpoint,
                    Transport = new HttpClientPipelineTransport(http),
                    RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
                    NetworkTimeout = budget,
                })
            .GetChatClient(options.Model)
            .AsIChatClient();

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static IChatClient AnthropicChatClient(LlmOptions options, Uri endpoint, HttpClient http, TimeSpan budget) =>
        new AnthropicClient(new ClientOptions
            {
                ApiKey = options.ApiKey?.Trim(),
                BaseUrl = endpoint.AbsoluteUri.TrimEnd('/'),
                HttpClient = http,
                MaxRetries = 0,
                Timeout = budget,
                // The spans are Microsoft.Extensions.AI's (UseOpenTelemetry), the same for every provider.
                OpenTelemetry = false,
            })
            .AsIChatClient(options.Model, options.MaxOutputTokens);

    /// <summary>
    /// How long the SDK lets one call run: every attempt's timeout and every wait between them, with room to spare;
    /// the handler enforces the real limits.
    /// </summary>
    private static TimeSpan CallBudget(LlmOptions options)
    {
        var waits = options.MaxRetryAfter > LlmResilienceHandler.MaxBackoff ? options.MaxRetryAfter : LlmResilienceHandler.MaxBackoff;
        return options.RequestTimeout * (options.MaxRetries + 1) + waits * 1.1 * options.MaxRetries + TimeSpan.FromMinutes(1);
    }

    /// <param name="Http">The provider's HTTP client, owned with it; none for a provider that makes no calls (Replay).</param>
    private sealed record ProviderClient(LlmOptions Options, IChatClient Client, HttpClient? Http) : IDisposable
    {
        public void Dispose()
        {
            Client.Dispose();
            Http?.Dispose();
        }
    }
}
