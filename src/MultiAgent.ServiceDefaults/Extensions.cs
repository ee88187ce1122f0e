using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MultiAgent.Secrets;
using MultiAgent.ServiceDefaults.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// What every MultiAgent service shares: OpenTelemetry, health checks, service discovery, secret redaction.
/// </summary>
public static class ServiceDefaultsExtensions
{
    /// <summary>Path of the readiness endpoint: every health check must pass.</summary>
    public const string HealthEndpointPath = "/health";

    /// <summary>Path of the liveness endpoint: only checks tagged "live" (the process answers).</summary>
    public const string AlivenessEndpointPath = "/alive";

    /// <summary>Tag of the health checks that count for liveness.</summary>
    public const string LiveTag = "live";

    /// <summary>
    /// Log levels every service starts from, unless configuration names the category (appsettings, environment, e.g.
    /// <c>Logging__LogLevel__Npgsql=Information</c> to see every SQL command again): the framework's per-command and
    /// per-request lines only from Warning up. At Information, Npgsql logs every command and ASP.NET Core every health
    /// probe: a Repo Manager wrote about 500 lines a second in a soak run, which the AppHost must read, keep and write
    /// to disk, and which slowed its restart.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, LogLevel> QuietCategories = new Dictionary<string, LogLevel>
    {
        ["Npgsql"] = LogLevel.Warning,
        ["Microsoft.AspNetCore"] = LogLevel.Warning,
        ["System.Net.Http.HttpClient"] = LogLevel.Warning,
    };

    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        foreach (var (category, level) in QuietCategories)
        {
            if (builder.Configuration[$"Logging:LogLevel:{category}"] is null)
            {
                builder.Logging.AddFilter(category, level);
            }
        }

        builder.AddSecretRedaction();
        builder.ConfigureOpenTelemetry();
        builder.AddDefaultHealthChecks();
        builder.Services.AddServiceDiscovery();
        // No resilience handler here: the two HTTP clients there are (the model providers', GitHub's) are built with
        // their own Polly pipelines (MultiAgent.Resilience), not through IHttpClientFactory, and a second retry layer
        // under one of them would multiply its attempts. See docs/architecture.md.
        builder.Services.ConfigureHttpClientDefaults(http => http.AddServiceDiscovery());
        return builder;
    }

    /// <summary>
    /// The one <see cref="SecretRedactor"/> of the process (every secret in configuration, see
    /// <see cref="SecretRedactor.RegisterFromConfiguration"/>; components register more), and every log entry passed
    /// through it before any logging provider sees it (<see cref="RedactingLoggerFactory"/>).
    /// </summary>
    public static TBuilder AddSecretRedaction<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.TryAddSingleton(provider => SecretRedactor.FromConfiguration(provider.GetRequiredService<IConfiguration>()));
        builder.Services.Replace(ServiceDescriptor.Singleton<ILoggerFactory>(provider => new RedactingLoggerFactory(
            new LoggerFactory(
                provider.GetServices<ILoggerProvider>(),
                provider.GetRequiredService<IOptionsMonitor<LoggerFilterOptions>>(),
                provider.GetService<IOptions<LoggerFactoryOptions>>(),
                provider.GetService<IExternalScopeProvider>()),
            provider.GetRequiredService<SecretRedactor>())));
        return builder;
    }

    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter(MultiAgentTelemetry.MeterName))
            .WithTracing(tracing => tracing
                .AddSource(builder.Environment.ApplicationName)
                .AddSource(MultiAgentTelemetry.ActivitySourceName)
                .AddAspNetCoreInstrumentation(options =>
                    // Probes every few seconds would drown the traces that matter.
                    options.Filter = context =>
                        !context.Request.Path.StartsWithSegments(HealthEndpointPath) &&
                        !context.Request.Path.StartsWithSegments(AlivenessEndpointPath))
                .AddHttpClientInstrumentation());

        // The exporter is on only when an endpoint is configured (the AppHost sets it for the dashboard).
        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            builder.Services.AddOpenTelemetry().UseOtlpExporter();
        }

        return builder;
    }

    public static TBuilder AddDefaultHealthChecks<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy(), [LiveTag]);
        return builder;
    }

    /// <summary>
    /// Maps <c>/health</c> (200 only when every check passes, else 503) and <c>/alive</c> (the process answers).
    /// Both are always on: orchestrators (Aspire, Azure Container Apps) probe them in every environment.
    /// A service whose <c>/health</c> means something else (the Repo Manager's system health) passes another
    /// <paramref name="healthPath"/> for its own readiness.
    /// </summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app, string healthPath = HealthEndpointPath)
    {
        app.MapHealthChecks(healthPath);
        app.MapHealthChecks(AlivenessEndpointPath, new HealthCheckOptions
        {
            Predicate = registration => registration.Tags.Contains(LiveTag),
        });
        return app;
    }
}
