using System.Globalization;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;

namespace MultiAgent.IntegrationTests.Infrastructure;

/// <summary>The operating-system process behind an Aspire resource, as DCP reports it in the resource's snapshot.</summary>
public static class ResourceProcesses
{
    /// <summary>The process id in the snapshot (<c>executable.pid</c>), or null while the resource has no process.</summary>
    public static int? IdOf(CustomResourceSnapshot snapshot) =>
        snapshot.Properties.FirstOrDefault(p => p.Name == "executable.pid")?.Value is { } pid
            ? Convert.ToInt32(pid, CultureInfo.InvariantCulture)
            : null;

    /// <summary>Waits until <paramref name="resource"/> runs in a process other than <paramref name="except"/>.</summary>
    public static Task<ResourceEvent> WaitForRunningAsync(
        ResourceNotificationService notifications, string resource, int? except, CancellationToken cancellationToken) =>
        notifications.WaitForResourceAsync(resource, e =>
                e.Snapshot.State?.Text == KnownResourceStates.Running && IdOf(e.Snapshot) is { } pid && pid != except,
            cancellationToken);

    /// <summary>The process id of <paramref name="resource"/>'s current process in <paramref name="app"/>, or null while it has none.</summary>
    public static int? CurrentIdOf(DistributedApplication app, string resource) =>
        app.ResourceNotifications.TryGetCurrentState(resource, out var state) ? IdOf(state.Snapshot) : null;

    /// <summary>
    /// Starts a stopped or killed resource with Aspire's start command and waits until it runs in a process other than
    /// <paramref name="previous"/> (the one stopped or killed) and is healthy. Until DCP reports the new process, the
    /// snapshot still says the old one exited, which a health wait alone takes for a failed start.
    /// </summary>
    public static async Task StartAgainAsync(DistributedApplication app, string resource, int? previous, TimeSpan patience)
    {
        var started = await app.Services.GetRequiredService<ResourceCommandService>().ExecuteCommandAsync(resource, KnownResourceCommands.StartCommand);
        if (!started.Success)
        {
            throw new InvalidOperationException($"Starting '{resource}' again failed: {started.Message}");
        }

        using var timeout = new CancellationTokenSource(patience);
        await WaitForRunningAsync(app.ResourceNotifications, resource, except: previous, timeout.Token);
        await app.ResourceNotifications.WaitForResourceHealthyAsync(resource, timeout.Token);
    }
}
