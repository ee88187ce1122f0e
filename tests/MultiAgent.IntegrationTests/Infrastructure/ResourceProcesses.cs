using System.Globalization;
using Aspire.Hosting.ApplicationModel;

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
}
