using System.Diagnostics;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using MultiAgent.IntegrationTests.Infrastructure;

namespace MultiAgent.IntegrationTests.EndToEnd;

/// <summary>
/// The system's processes, agents and servers: find one's process id (Aspire's resource snapshot holds it), kill it for
/// real, and wait for the AppHost's restart policy to bring it back. Resource names: "repomanager", "coder", "reviewer",
/// "nats", "postgres".
/// </summary>
public static class SystemProcesses
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    /// <summary>The process id of the agent's current process.</summary>
    public static int ProcessId(SystemFixture system, string agent) => ProcessId(system.App, agent);

    /// <summary>The process id of a resource of <paramref name="app"/> (the system's AppHost, or an agent host's).</summary>
    public static int ProcessId(Aspire.Hosting.DistributedApplication app, string resource)
    {
        if (!app.ResourceNotifications.TryGetCurrentState(resource, out var state))
        {
            throw new InvalidOperationException($"No resource '{resource}': {AppHostFixture.DescribeResources(app)}");
        }

        return ResourceProcesses.IdOf(state.Snapshot)
            ?? throw new InvalidOperationException($"'{resource}' has no process now: {AppHostFixture.DescribeResources(app)}");
    }

    /// <summary>
    /// Kills the resource's process (SIGKILL: no graceful shutdown, no last heartbeat) with its children, or alone when
    /// <paramref name="alone"/> (a PostgreSQL postmaster, whose backends then end by themselves), waits for it to be
    /// gone, and returns its process id. The AppHost's restart policy starts it again; see
    /// <see cref="WaitUntilRestartedAsync"/>.
    /// </summary>
    public static Task<int> KillAsync(SystemFixture system, string agent, bool alone = false) => KillAsync(system.App, agent, alone);

    /// <summary>As <see cref="KillAsync(SystemFixture, string, bool)"/>, for a resource of <paramref name="app"/>.</summary>
    public static async Task<int> KillAsync(Aspire.Hosting.DistributedApplication app, string agent, bool alone = false)
    {
        var pid = ProcessId(app, agent);
        using var process = Process.GetProcessById(pid);
        process.Kill(entireProcessTree: !alone);
        using var timeout = new CancellationTokenSource(Patience);
        await process.WaitForExitAsync(timeout.Token);
        return pid;
    }

    /// <summary>
    /// Waits until the AppHost has started the agent again on its own (a process other than <paramref name="killed"/>)
    /// and it is healthy; returns when the new process started. Nothing here starts it.
    /// </summary>
    public static async Task<DateTimeOffset> WaitUntilRestartedAsync(SystemFixture system, string agent, int killed)
    {
        var running = await WaitUntilRunningAgainAsync(system.App, agent, killed, Patience, $"The AppHost did not bring {agent} back");
        var started = running.Snapshot.StartTimeStamp ?? throw new InvalidOperationException($"'{agent}' runs without a start time");
        return new DateTimeOffset(DateTime.SpecifyKind(started.ToUniversalTime(), DateTimeKind.Utc));
    }

    /// <summary>
    /// Starts a stopped or killed resource of <paramref name="app"/> with Aspire's start command and waits until it runs in
    /// a process other than <paramref name="previous"/> (the one stopped or killed) and is healthy.
    /// </summary>
    public static async Task StartAgainAsync(Aspire.Hosting.DistributedApplication app, string resource, int previous, TimeSpan patience)
    {
        var started = await app.Services.GetRequiredService<ResourceCommandService>().ExecuteCommandAsync(resource, KnownResourceCommands.StartCommand);
        if (!started.Success)
        {
            throw new InvalidOperationException($"Starting '{resource}' again failed: {started.Message}");
        }

        await WaitUntilRunningAgainAsync(app, resource, previous, patience, $"{resource} was not running again");
    }

    // Until DCP reports the new process, the snapshot still says the old one exited, which a health wait alone takes for a
    // failed start: first a process other than the old one, then healthy.
    private static async Task<ResourceEvent> WaitUntilRunningAgainAsync(
        Aspire.Hosting.DistributedApplication app, string resource, int previous, TimeSpan patience, string failure)
    {
        using var timeout = new CancellationTokenSource(patience);
        try
        {
            var running = await ResourceProcesses.WaitForRunningAsync(app.ResourceNotifications, resource, except: previous, timeout.Token);
            await app.ResourceNotifications.WaitForResourceHealthyAsync(resource, timeout.Token);
            return running;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            throw new TimeoutException($"{failure} within {patience.TotalSeconds}s: {AppHostFixture.DescribeResources(app)}");
        }
    }
}
