using System.Diagnostics;
using System.Globalization;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using MultiAgent.IntegrationTests.Infrastructure;

namespace MultiAgent.IntegrationTests.EndToEnd;

/// <summary>
/// The agents as operating-system processes: find one's process id (Aspire's resource snapshot holds it), kill it for
/// real, and start it again with Aspire's start command (Aspire does not restart a crashed resource by itself).
/// Resource names: "repomanager", "coder", "reviewer".
/// </summary>
public static class AgentProcesses
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    /// <summary>The process id of the agent's current process.</summary>
    public static int ProcessId(SystemFixture system, string agent)
    {
        if (!system.App.ResourceNotifications.TryGetCurrentState(agent, out var state))
        {
            throw new InvalidOperationException($"No resource '{agent}': {system.DescribeResources()}");
        }

        var pid = state.Snapshot.Properties.FirstOrDefault(p => p.Name == "executable.pid")?.Value;
        return pid is null
            ? throw new InvalidOperationException($"'{agent}' has no process now: {system.DescribeResources()}")
            : Convert.ToInt32(pid, CultureInfo.InvariantCulture);
    }

    /// <summary>Kills the agent's process (SIGKILL: no graceful shutdown, no last heartbeat) and waits for it to be gone.</summary>
    public static async Task KillAsync(SystemFixture system, string agent)
    {
        using var process = Process.GetProcessById(ProcessId(system, agent));
        process.Kill(entireProcessTree: true);
        using var timeout = new CancellationTokenSource(Patience);
        await process.WaitForExitAsync(timeout.Token);
    }

    /// <summary>Starts a stopped agent again and waits until it is healthy.</summary>
    public static async Task StartAsync(SystemFixture system, string agent)
    {
        var commands = system.App.Services.GetRequiredService<ResourceCommandService>();
        await Eventually.ReturnsAsync(
            async _ => (await commands.ExecuteCommandAsync(agent, KnownResourceCommands.StartCommand)).Success,
            started => started, Patience, $"the {agent} to start again");
        using var timeout = new CancellationTokenSource(Patience);
        await system.App.ResourceNotifications.WaitForResourceHealthyAsync(agent, timeout.Token);
    }
}
