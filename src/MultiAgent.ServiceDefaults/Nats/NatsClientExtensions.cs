using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MultiAgent.Nats;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.OpenTelemetry;
using NATS.Net;
using OpenTelemetry.Trace;

namespace MultiAgent.ServiceDefaults.Nats;

/// <summary>
/// The NATS client integration (Aspire.NATS.Net is not available to this project): one shared connection
/// registered as <see cref="INatsConnection"/>, a JetStream context, a health check and tracing.
/// </summary>
public static class NatsClientExtensions
{
    public static IHostApplicationBuilder AddNatsClient(
        this IHostApplicationBuilder builder, string connectionName, Action<NatsClientSettings>? configureSettings = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionName);

        var settings = new NatsClientSettings();
        builder.Configuration.GetSection(NatsClientSettings.ConfigurationSectionName).Bind(settings);
        if (builder.Configuration.GetConnectionString(connectionName) is { Length: > 0 } connectionString)
        {
            settings.ConnectionString = connectionString;
        }

        configureSettings?.Invoke(settings);
        if (string.IsNullOrWhiteSpace(settings.ConnectionString))
        {
            throw new InvalidOperationException(
                $"No NATS connection string: set ConnectionStrings:{connectionName} (the AppHost does this) " +
                $"or {NatsClientSettings.ConfigurationSectionName}:ConnectionString.");
        }

        var options = NatsConnectionString.ToOptions(settings.ConnectionString) with
        {
            Name = settings.ClientName ?? builder.Environment.ApplicationName,
            SerializerRegistry = NatsClientDefaultSerializerRegistry.Default,
        };

        builder.Services.AddSingleton(services => new NatsConnection(options with
        {
            LoggerFactory = services.GetRequiredService<ILoggerFactory>(),
        }));
        builder.Services.AddSingleton<INatsConnection>(services => services.GetRequiredService<NatsConnection>());
        builder.Services.AddSingleton<INatsJSContext>(services => services.GetRequiredService<NatsConnection>().CreateJetStreamContext());

        if (!settings.DisableHealthChecks)
        {
            builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
                $"nats_{connectionName}",
                services => new NatsHealthCheck(services.GetRequiredService<INatsConnection>(), settings.HealthCheckTimeout),
                failureStatus: default,
                tags: default,
                timeout: settings.HealthCheckTimeout + TimeSpan.FromSeconds(1)));
        }

        if (!settings.DisableTracing)
        {
            builder.Services.AddOpenTelemetry().WithTracing(tracing => tracing.AddNatsClientInstrumentation());
        }

        return builder;
    }
}
