using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MultiAgent.IntegrationTests.Infrastructure;

/// <summary>
/// Runs the real AppHost through Aspire.Hosting.Testing: real nats-server and PostgreSQL processes (and, unless a
/// subclass says otherwise, the three agents), on random ports and with a data folder of its own, so that runs never
/// collide. One per test collection. The whole system with its outside services is <see cref="SystemFixture"/>.
/// </summary>
public abstract class AppHostFixture : IAsyncLifetime
{
    public static readonly string[] Agents = [.. MultiAgent.Contracts.AgentCatalogue.All.Select(a => a.Name)];
    public static readonly string[] Servers = ["nats", "postgres", "multiagentdb"];
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(180);

    private readonly string _dataRoot = Path.Combine(Path.GetTempPath(), "multiagent-tests", Guid.NewGuid().ToString("N"));
    private readonly Dictionary<string, string> _natsPasswords = [];
    private readonly ResourceLogTail _resourceLogs = new();
    private DistributedApplication? _app;

    public DistributedApplication App => _app ?? throw new InvalidOperationException("The topology is not started.");

    /// <summary>
    /// nats://admin:password@host:port of the test's NATS server: the <c>admin</c> user, allowed every subject (tests
    /// act as the harness around the agents: they create streams, publish straight to any agent, read dead letters).
    /// </summary>
    public string NatsUrl { get; private set; } = "";

    /// <summary>nats://host:port of the test's NATS server, without credentials.</summary>
    public string NatsAddress { get; private set; } = "";

    /// <summary>The CLI config file that run mode writes for a CLI user ("operator" or "viewer").</summary>
    public string CliConfigFile(string user) => MultiAgent.Hosting.Nats.NatsHostingExtensions.CliConfigPath(
        new MultiAgent.Hosting.Local.LocalInfrastructureOptions { DataRoot = _dataRoot }, user);

    /// <summary>
    /// The topology's one allowed local repository root (<c>MultiAgent:LocalGit:AllowedRoots</c>): where
    /// <see cref="MultiAgent.IntegrationTests.Repositories.Local.GitSandbox"/> makes its repositories by default.
    /// </summary>
    public static string LocalRepositoryRoot => MultiAgent.IntegrationTests.Repositories.Local.GitSandbox.Parent;

    /// <summary>Npgsql connection string of the system database.</summary>
    public string DatabaseConnectionString { get; private set; } = "";

    protected abstract bool StartAgents { get; }

    /// <summary>nats://user:password@host:port of one NATS user (coder, reviewer, repomanager, operator, viewer, admin).</summary>
    public string NatsUrlFor(string user) =>
        _natsPasswords.TryGetValue(user, out var password)
            ? new UriBuilder(NatsAddress) { UserName = user, Password = password }.Uri.GetLeftPart(UriPartial.Authority)
            : throw new ArgumentException($"no NATS user '{user}'", nameof(user));

    /// <summary>The password of one NATS user (for tests that check it is printed nowhere).</summary>
    public string NatsPasswordOf(string user) => _natsPasswords[user];

    /// <summary>This run's own folder (servers' data, and whatever a subclass keeps there).</summary>
    public string DataRoot => _dataRoot;

    /// <summary>Every line the resources (agents, servers) printed since the start, in order.</summary>
    public IReadOnlyCollection<string> ResourceLogLines => _resourceLogs.AllLines;

    /// <summary>
    /// The run's secrets: every NATS user's password and the database password (generated at start), and whatever a
    /// subclass configures (<see cref="ConfiguredSecrets"/>). None of them may appear in anything the system keeps,
    /// publishes or prints.
    /// </summary>
    public IReadOnlyList<string> Secrets =>
    [
        .. _natsPasswords.Values,
        DatabasePassword,
        .. ConfiguredSecrets,
    ];

    /// <summary>The password of the system database (generated at start).</summary>
    public string DatabasePassword =>
        new Npgsql.NpgsqlConnectionStringBuilder(DatabaseConnectionString).Password ?? throw new InvalidOperationException("no database password");

    /// <summary>Secrets a subclass gives the agents (model API key, GitHub token).</summary>
    protected virtual IEnumerable<string> ConfiguredSecrets => [];

    /// <summary>Runs before the AppHost starts; returns further AppHost settings (<c>--Key=value</c>).</summary>
    protected virtual Task<IReadOnlyList<string>> BeforeStartAsync() => Task.FromResult<IReadOnlyList<string>>([]);

    /// <summary>More AppHost settings (<c>--Key=value</c>), given last, for a harness that needs others (a benchmark's replicas).</summary>
    public IReadOnlyList<string> ExtraSettings { get; init; } = [];

    /// <summary>Runs after the AppHost has stopped.</summary>
    protected virtual ValueTask AfterStopAsync() => ValueTask.CompletedTask;

    /// <summary>The resources the fixture waits to be healthy: the servers, and the agents unless <see cref="StartAgents"/> is false.</summary>
    protected virtual IEnumerable<string> ExpectedResources => StartAgents ? Servers.Concat(Agents) : Servers;

    /// <summary>Runs once the topology is healthy and its connection strings are read (an agent host joins it here).</summary>
    protected virtual Task AfterStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Runs before the AppHost stops (an agent host leaves first).</summary>
    protected virtual ValueTask BeforeStopAsync() => ValueTask.CompletedTask;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_dataRoot);
        var settings = await BeforeStartAsync();
        using var timeout = new CancellationTokenSource(StartTimeout);
        try
        {
            _app = await StartAppAsync(_dataRoot, [$"--MultiAgent:StartAgents={StartAgents}", .. settings, .. ExtraSettings], ExpectedResources, timeout.Token);
            NatsUrl = await _app.GetConnectionStringAsync("nats", timeout.Token) ?? throw new InvalidOperationException("no NATS URL");
            // The first server's (a cluster's connection string lists every node).
            NatsAddress = new UriBuilder(NatsUrl.Split(',')[0]) { UserName = "", Password = "" }.Uri.GetLeftPart(UriPartial.Authority);
            foreach (var user in MultiAgent.Hosting.Nats.NatsUsers.All)
            {
                var parameter = (ParameterResource)_app.Services.GetRequiredService<DistributedApplicationModel>().Resources
                    .Single(r => r.Name == user.PasswordParameterName("nats"));
                _natsPasswords[user.Name] = await parameter.GetValueAsync(timeout.Token)
                    ?? throw new InvalidOperationException($"no password for NATS user {user.Name}");
            }
            DatabaseConnectionString = await _app.GetConnectionStringAsync("multiagentdb", timeout.Token)
                ?? throw new InvalidOperationException("no database connection string");
            await AfterStartAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException(
                $"The topology was not healthy within {StartTimeout.TotalSeconds}s: {(_app is null ? "" : DescribeResources())}\nLast resource output:\n{_resourceLogs}");
        }
    }

    /// <summary>
    /// Builds and starts an AppHost (this fixture's, or an agent host beside it) with its data in <paramref name="dataRoot"/>,
    /// the tests' common settings and <paramref name="settings"/>, and waits until <paramref name="resources"/> are healthy.
    /// Its resources' output goes to <see cref="ResourceLogLines"/>.
    /// </summary>
    protected async Task<DistributedApplication> StartAppAsync(
        string dataRoot, IReadOnlyList<string> settings, IEnumerable<string> resources, CancellationToken cancellationToken)
    {
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.MultiAgent_AppHost>(
            [
                $"--MultiAgent:DataRoot={dataRoot}",
                // Local repositories: the scenarios' (GitSandbox), and nothing else.
                $"--MultiAgent:LocalGit:AllowedRoots:0={LocalRepositoryRoot}",
                // Faster heartbeats, so health changes show within seconds.
                "--MultiAgent:Agent:HeartbeatInterval=00:00:01",
                "--MultiAgent:Registry:HeartbeatTimeout=00:00:04",
                // No dashboard runs (below): the agents export no telemetry rather than try every second.
                "--MultiAgent:Telemetry:Export=false",
                .. settings,
            ],
            (options, _) => options.DisableDashboard = true,
            cancellationToken);
        builder.Services.AddLogging(logging => logging
            .SetMinimumLevel(LogLevel.Warning)
            // The resources' own output (agents, servers), kept briefly for failure messages.
            .AddProvider(_resourceLogs)
            .AddFilter<ResourceLogTail>((category, _) => category?.Contains(".Resources.", StringComparison.Ordinal) == true)
            // Not on the console as well (a run outside xunit, such as the soak benchmark, would print every line).
            .AddFilter<Microsoft.Extensions.Logging.Console.ConsoleLoggerProvider>("MultiAgent.AppHost.Resources", LogLevel.None)
            // Servers are unhealthy while they start; the fixture waits for healthy and reports what is not.
            .AddFilter("Microsoft.Extensions.Diagnostics.HealthChecks", LogLevel.None));

        var app = await builder.BuildAsync(cancellationToken);
        try
        {
            await app.StartAsync(cancellationToken);
            foreach (var resource in resources)
            {
                await app.ResourceNotifications.WaitForResourceHealthyAsync(resource, cancellationToken);
            }

            return app;
        }
        catch (OperationCanceledException)
        {
            var states = DescribeResources(app);
            await app.DisposeAsync();
            throw new TimeoutException($"The AppHost was not healthy in time: {states}\nLast resource output:\n{_resourceLogs}");
        }
    }

    /// <summary>
    /// Waits until every server and agent is healthy again, as Aspire's health checks see them and, for each agent, as
    /// its own <c>/health</c> answers now: a test that stops or kills a part ends with this, so that the next test starts
    /// on the whole topology. Aspire checks a healthy resource only every few seconds, so its status can still be the
    /// one from before the part was stopped (NATS stopped and started again while no check ran: the Repo Manager still
    /// reconnecting, and the next test's query finding nobody to answer).
    /// </summary>
    public async Task WaitUntilHealthyAsync(TimeSpan patience)
    {
        using var timeout = new CancellationTokenSource(patience);
        try
        {
            foreach (var resource in ExpectedResources)
            {
                await App.ResourceNotifications.WaitForResourceHealthyAsync(resource, timeout.Token);
                if (Agents.Contains(resource))
                {
                    await WaitUntilAnswersHealthyAsync(resource, timeout.Token);
                }
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            throw new TimeoutException($"The topology was not healthy again within {patience.TotalSeconds}s: {DescribeResources()}");
        }
    }

    private async Task WaitUntilAnswersHealthyAsync(string agent, CancellationToken cancellationToken)
    {
        using var http = App.CreateHttpClient(agent, "http");
        while (true)
        {
            try
            {
                using var response = await http.GetAsync("/health", cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken);
        }
    }

    /// <summary>Each resource's state and health, for failure messages.</summary>
    public string DescribeResources() => DescribeResources(App);

    /// <summary>Each resource's state (with its exit code once it has one) and health in <paramref name="app"/>, for failure messages.</summary>
    public static string DescribeResources(DistributedApplication app)
    {
        var model = app.Services.GetRequiredService<DistributedApplicationModel>();
        return string.Join("; ", model.Resources.Select(resource =>
            app.ResourceNotifications.TryGetCurrentState(resource.Name, out var e)
                ? $"{resource.Name}={e.Snapshot.State?.Text}{(e.Snapshot.ExitCode is { } exit ? $" (exit {exit})" : "")}/{e.Snapshot.HealthStatus?.ToString() ?? "-"}"
                : $"{resource.Name}=?"));
    }

    public async Task DisposeAsync()
    {
        await BeforeStopAsync();
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }

        await AfterStopAsync();

        try
        {
            Directory.Delete(_dataRoot, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Left under the temp folder.
        }
    }
}

/// <summary>Only the servers (NATS with JetStream, PostgreSQL with the system database), for runtime tests.</summary>
public sealed class InfrastructureFixture : AppHostFixture
{
    private readonly SemaphoreSlim _migration = new(1, 1);
    private Npgsql.NpgsqlDataSource? _database;

    protected override bool StartAgents => false;

    /// <summary>
    /// The system database with the schema migrated, one pool for all the collection's tests: a data source of each
    /// test's own opened a PostgreSQL backend per test (a process of its own, ~70 ms of CPU) and migrated again.
    /// The tests use ids and repositories of their own, so they never see each other's rows; none stops the server.
    /// </summary>
    public async Task<Npgsql.NpgsqlDataSource> MigratedDatabaseAsync()
    {
        await _migration.WaitAsync();
        try
        {
            if (_database is null)
            {
                var database = Npgsql.NpgsqlDataSource.Create(DatabaseConnectionString);
                await MultiAgent.IntegrationTests.Persistence.TestSchema.Migrator(database).MigrateAsync();
                _database = database;
            }

            return _database;
        }
        finally
        {
            _migration.Release();
        }
    }

    protected override async ValueTask BeforeStopAsync()
    {
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }
}

// Each collection has a topology of its own (xunit makes a collection fixture per collection) and runs its tests one
// after another; collections run side by side. The end-to-end scenarios and the servers' tests are split in two each,
// so that no single topology's queue of tests sets the suite's length.

/// <summary>End-to-end scenarios on the whole system that leave every part running.</summary>
[CollectionDefinition(Name)]
public sealed class SystemCollection : ICollectionFixture<SystemFixture>
{
    public const string Name = "system";
}

/// <summary>
/// End-to-end scenarios that kill or stop a part of the system (a server, an agent) and wait for it to come back, on a
/// second whole system: the other scenarios do not wait behind the outages.
/// </summary>
[CollectionDefinition(Name)]
public sealed class SystemFaultsCollection : ICollectionFixture<SystemFixture>
{
    public const string Name = "system-faults";
}

/// <summary>Stores, bus, repositories and handlers against the servers alone.</summary>
[CollectionDefinition(Name)]
public sealed class InfrastructureCollection : ICollectionFixture<InfrastructureFixture>
{
    public const string Name = "infrastructure";
}

/// <summary>The task runtime in agent processes the tests start and kill, against servers of its own.</summary>
[CollectionDefinition(Name)]
public sealed class RuntimeCollection : ICollectionFixture<InfrastructureFixture>
{
    public const string Name = "runtime";
}

/// <summary>
/// What the resources printed (Aspire.Hosting.Testing forwards it to loggers "….Resources.&lt;name&gt;"): the last
/// lines for failure messages, and every line (up to a bound) for tests that look for what must never be printed.
/// </summary>
internal sealed class ResourceLogTail : ILoggerProvider
{
    private const int Capacity = 200;
    private const int AllCapacity = 500_000;
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _lines = new();
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _all = new();

    public IReadOnlyCollection<string> AllLines => _all;

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName[(categoryName.LastIndexOf('.') + 1)..], this);

    public override string ToString() => string.Join('\n', _lines);

    public void Dispose()
    {
    }

    private void Add(string line)
    {
        if (_all.Count < AllCapacity)
        {
            _all.Enqueue(line);
        }

        _lines.Enqueue(line);
        while (_lines.Count > Capacity && _lines.TryDequeue(out _))
        {
        }
    }

    private sealed class Logger(string resource, ResourceLogTail tail) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            tail.Add($"{resource}: {formatter(state, exception)}");
    }
}
