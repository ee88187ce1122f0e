using System.Collections.Concurrent;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MultiAgent.Secrets;

namespace MultiAgent.UnitTests.ServiceDefaults;

/// <summary>The service defaults' one redactor: it knows the configuration's secrets, and no log entry reaches a provider with one.</summary>
public sealed class SecretRedactionTests
{
    private const string ApiKey = "model-api-key-value-1";
    private const string DatabasePassword = "database-password-2";

    [Fact]
    public void A_secret_in_a_log_entry_reaches_no_logging_provider_whether_in_a_value_the_message_or_an_exception()
    {
        using var host = BuildHost(out var captured);
        var logger = host.Services.GetRequiredService<ILogger<SecretRedactionTests>>();

        logger.LogWarning("Calling the model with key {Key} for {Agent}", ApiKey, "coder");
        logger.LogError(new InvalidOperationException($"connect failed: Password={DatabasePassword}"), "The store failed");

        var warning = captured.Single(e => e.Level == LogLevel.Warning);
        Assert.Equal("Calling the model with key *** for coder", warning.Message);
        Assert.Equal("***", warning.Values["Key"]);
        Assert.Equal("coder", warning.Values["Agent"]);
        Assert.Equal("Calling the model with key {Key} for {Agent}", warning.Values["{OriginalFormat}"]);
        var error = captured.Single(e => e.Level == LogLevel.Error);
        Assert.Equal("The store failed", error.Message);
        Assert.Contains("connect failed: Password=***", error.Exception, StringComparison.Ordinal);
        Assert.Contains(nameof(InvalidOperationException), error.Exception, StringComparison.Ordinal);
        Assert.DoesNotContain(captured, e => (e.Message + e.Exception + string.Join(' ', e.Values.Values)).Contains(ApiKey, StringComparison.Ordinal));
        Assert.DoesNotContain(captured, e => (e.Message + e.Exception).Contains(DatabasePassword, StringComparison.Ordinal));
    }

    [Fact]
    public void An_entry_without_secrets_reaches_the_providers_as_it_was_logged()
    {
        using var host = BuildHost(out var captured);
        var logger = host.Services.GetRequiredService<ILogger<SecretRedactionTests>>();
        var exception = new InvalidOperationException("nothing secret");

        logger.LogError(exception, "Task {TaskId} failed", "task-1");

        var entry = Assert.Single(captured);
        Assert.Equal("Task task-1 failed", entry.Message);
        Assert.Same(exception, entry.Original);
    }

    [Fact]
    public void The_process_has_one_redactor_that_knows_the_configured_secrets()
    {
        using var host = BuildHost(out _);

        var redactor = host.Services.GetRequiredService<SecretRedactor>();

        Assert.Same(redactor, host.Services.GetRequiredService<SecretRedactor>());
        Assert.Equal("*** ***", redactor.Redact($"{ApiKey} {DatabasePassword}"));
    }

    private static IHost BuildHost(out ConcurrentQueue<CapturedEntry> captured)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["MultiAgent:Llm:ApiKey"] = ApiKey,
            ["ConnectionStrings:multiagentdb"] = $"Host=localhost;Username=postgres;Password={DatabasePassword}",
        });
        var provider = new CapturingProvider();
        builder.Logging.AddProvider(provider);
        builder.AddSecretRedaction();
        captured = provider.Entries;
        return builder.Build();
    }

    private sealed record CapturedEntry(
        LogLevel Level, string Message, IReadOnlyDictionary<string, object?> Values, string Exception, Exception? Original);

    private sealed class CapturingProvider : ILoggerProvider
    {
        public ConcurrentQueue<CapturedEntry> Entries { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(Entries);

        public void Dispose()
        {
        }

        private sealed class Logger(ConcurrentQueue<CapturedEntry> entries) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                entries.Enqueue(new CapturedEntry(
                    logLevel,
                    formatter(state, exception),
                    (state as IReadOnlyList<KeyValuePair<string, object?>> ?? []).ToDictionary(p => p.Key, p => p.Value),
                    exception?.ToString() ?? "",
                    exception));
        }
    }
}
