using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using MultiAgent.Repositories;
using MultiAgent.Repositories.GitHub;
using MultiAgent.IntegrationTests.Fakes.GitHub;

namespace MultiAgent.IntegrationTests.Repositories.GitHub;

/// <summary>A GitHub fake, a host configured against it, and the host's captured log lines.</summary>
internal sealed class GitHubHostHarness : IAsyncDisposable
{
    /// <summary>Looks like a personal access token, so that any place it leaks to is easy to find.</summary>
    public const string Token = "ghp_Secret0Token1For2Tests3Only4AbCdEf";

    private readonly ILoggerFactory _loggerFactory;

    private GitHubHostHarness(GitHubFake fake, GitHubOptions options, CapturingLoggerProvider logs, ILoggerFactory loggerFactory, FakeRepository repository, RepositoryReference reference)
    {
        Fake = fake;
        Options = options;
        Logs = logs;
        _loggerFactory = loggerFactory;
        Repository = repository;
        Reference = reference;
        Host = new GitHubHost(options, loggerFactory.CreateLogger<GitHubHost>());
    }

    public GitHubFake Fake { get; }

    public GitHubOptions Options { get; }

    public GitHubHost Host { get; }

    public CapturingLoggerProvider Logs { get; }

    /// <summary>octo/widgets on the fake (default branch main).</summary>
    public FakeRepository Repository { get; }

    public RepositoryReference Reference { get; }

    /// <summary>The fake's path of octo/widgets, below its base path.</summary>
    public string RepoPath => $"/repos/{Repository.Owner}/{Repository.Name}";

    public static async Task<GitHubHostHarness> StartAsync(Action<GitHubOptions>? configure = null, string basePath = "", string webHost = "github.com")
    {
        var fake = await GitHubFake.StartAsync(basePath);
        fake.RequiredToken = Token;
        var repository = fake.AddRepository("octo", "widgets", webHost: webHost);
        var options = new GitHubOptions
        {
            Token = Token,
            ApiBaseUrl = fake.ApiBaseUrl.ToString(),
            MaxRateLimitWait = TimeSpan.FromSeconds(10),
            RequestTimeout = TimeSpan.FromSeconds(10),
            MaxRetries = 3,
            RetryBaseDelay = TimeSpan.FromMilliseconds(20),
        };
        configure?.Invoke(options);
        var logs = new CapturingLoggerProvider();
        var loggerFactory = LoggerFactory.Create(builder => builder.SetMinimumLevel(LogLevel.Trace).AddProvider(logs));
        return new GitHubHostHarness(fake, options, logs, loggerFactory, repository, RepositoryReference.Parse($"https://{webHost}/octo/widgets"));
    }

    public async ValueTask DisposeAsync()
    {
        Host.Dispose();
        _loggerFactory.Dispose();
        await Fake.DisposeAsync();
    }
}

/// <summary>Keeps every log line (message and exception) written through it.</summary>
internal sealed class CapturingLoggerProvider : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _lines = new();

    public IReadOnlyList<string> Lines => _lines.ToArray();

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _lines);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var properties = state is IEnumerable<KeyValuePair<string, object?>> pairs
                ? string.Join(", ", pairs.Select(pair => $"{pair.Key}={pair.Value}"))
                : string.Empty;
            lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)} [{properties}] {exception}");
        }
    }
}
