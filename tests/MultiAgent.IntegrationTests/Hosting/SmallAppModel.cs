using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using MultiAgent.Hosting.Local;
using MultiAgent.IntegrationTests.Infrastructure;

namespace MultiAgent.IntegrationTests.Hosting;

/// <summary>
/// A small Aspire app model of shell commands run by DCP, for testing the AppHost's hosting pieces (restarts, log
/// files) on real processes without the whole topology. It has no AppHost project of its own: the MultiAgent AppHost's
/// assembly says where DCP is.
/// </summary>
internal sealed class SmallAppModel : IAsyncDisposable
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private SmallAppModel(DistributedApplication app) => App = app;

    public DistributedApplication App { get; }

    public static async Task<SmallAppModel> StartAsync(string[] settings, Action<IDistributedApplicationBuilder> addResources)
    {
        var builder = DistributedApplication.CreateBuilder(new DistributedApplicationOptions
        {
            Args = settings,
            AssemblyName = "MultiAgent.AppHost",
            DisableDashboard = true,
        });
        builder.WithoutContainerRuntimeProbes().WithDevelopmentCertificateForDcp();
        addResources(builder);
        var model = new SmallAppModel(builder.Build());
        using var timeout = new CancellationTokenSource(Patience);
        await model.App.StartAsync(timeout.Token);
        return model;
    }

    /// <summary>Waits until <paramref name="resource"/> runs in a process other than <paramref name="except"/>; returns its id.</summary>
    public async Task<int> RunningProcessAsync(string resource, int? except = null)
    {
        using var timeout = new CancellationTokenSource(Patience);
        var running = await ResourceProcesses.WaitForRunningAsync(App.ResourceNotifications, resource, except, timeout.Token);
        return ResourceProcesses.IdOf(running.Snapshot)!.Value;
    }

    public async Task WaitForStateAsync(string resource, Func<string?, bool> state)
    {
        using var timeout = new CancellationTokenSource(Patience);
        await App.ResourceNotifications.WaitForResourceAsync(resource, e => state(e.Snapshot.State?.Text), timeout.Token);
    }

    public async ValueTask DisposeAsync() => await App.DisposeAsync();
}
