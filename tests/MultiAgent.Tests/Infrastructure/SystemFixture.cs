using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MultiAgent.Tests.Infrastructure;

/// <summary>
/// The whole topology from the real AppHost: nats-server, PostgreSQL and the three agents as processes, on random
/// ports and with a data folder of its own, so that runs never collide. One per test collection.
/// </summary>
public sealed class SystemFixture : IAsyncLifetime
{
    public static readonly string[] Agents = ["repomanager", "coder", "reviewer"];
    public static readonly string[] Infrastructure = ["nats", "postgres", "multiagentdb"];
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(120);

    private readonly string _dataRoot = Path.Combine(Path.GetTempPath(), "multiagent-tests", Guid.NewGuid().ToString("N"));

    public DistributedApplication App { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_dataRoot);
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.MultiAgent_AppHost>(
            [$"--MultiAgent:DataRoot={_dataRoot}"],
            (options, _) => options.DisableDashboard = true);
        builder.Services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));

        App = await builder.BuildAsync();
        using var timeout = new CancellationTokenSource(StartTimeout);
        try
        {
            await App.StartAsync(timeout.Token);
            foreach (var agent in Agents)
            {
                await App.ResourceNotifications.WaitForResourceHealthyAsync(agent, timeout.Token);
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"The topology was not healthy within {StartTimeout.TotalSeconds}s: {DescribeResources()}");
        }
    }

    /// <summary>Each resource's state and health, for failure messages.</summary>
    public string DescribeResources()
    {
        var model = App.Services.GetRequiredService<DistributedApplicationModel>();
        return string.Join("; ", model.Resources.Select(resource =>
            App.ResourceNotifications.TryGetCurrentState(resource.Name, out var e)
                ? $"{resource.Name}={e.Snapshot.State?.Text}/{e.Snapshot.HealthStatus?.ToString() ?? "-"}"
                : $"{resource.Name}=?"));
    }

    public async Task DisposeAsync()
    {
        if (App is not null)
        {
            await App.DisposeAsync();
        }

        try
        {
            Directory.Delete(_dataRoot, recursive: true);
        }
        catch (IOException)
        {
            // A server may still be closing files; the folder lives under the temp folder.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}

[CollectionDefinition(Name)]
public sealed class SystemCollection : ICollectionFixture<SystemFixture>
{
    public const string Name = "system";
}
