using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using MultiAgent.Persistence;
using MultiAgent.Secrets;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace MultiAgent.Llm;

/// <summary>Registers the LLM layer.</summary>
public static class LlmServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="LlmConfiguration"/> (from <paramref name="configuration"/>'s <c>MultiAgent:Llm</c>),
    /// <see cref="SecretRedactor"/> (knowing every secret-named configuration value), <see cref="ChatClientFactory"/>,
    /// <see cref="TranscriptStore"/> and <see cref="LlmSessionFactory"/> as singletons, and the model calls'
    /// telemetry (<c>MultiAgent.Llm</c>) to OpenTelemetry. The transcript store needs an
    /// <see cref="Npgsql.NpgsqlDataSource"/> (the agents register one). Options are validated when an agent first
    /// asks for a client, not here: an agent without LLM settings still starts. Calling it twice is harmless.
    /// </summary>
    public static IServiceCollection AddLlm(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(new LlmConfiguration(configuration));
        // The process's one redactor (ServiceDefaults registers the same); the factory teaches it the API keys.
        services.TryAddSingleton(_ => SecretRedactor.FromConfiguration(configuration));
        services.TryAddSingleton(provider => new ChatClientFactory(
            provider.GetRequiredService<LlmConfiguration>(),
            provider.GetRequiredService<SecretRedactor>(),
            provider.GetService<Microsoft.Extensions.Logging.ILoggerFactory>(),
            provider.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<TranscriptStore>();
        services.AddMigrations(TranscriptStore.Migrations);
        services.TryAddSingleton(provider => new LlmSessionFactory(
            provider.GetRequiredService<ChatClientFactory>(),
            provider.GetRequiredService<TranscriptStore>(),
            provider.GetRequiredService<SecretRedactor>(),
            provider.GetService<Microsoft.Extensions.Logging.ILoggerFactory>(),
            provider.GetRequiredService<TimeProvider>()));

        services.AddOpenTelemetry()
            .WithTracing(tracing => tracing.AddSource(ChatClientFactory.TelemetrySourceName))
            .WithMetrics(metrics => metrics.AddMeter(ChatClientFactory.TelemetrySourceName));
        return services;
    }
}
