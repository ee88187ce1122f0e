using System.Globalization;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using MultiAgent.Hosting.Restarts;

namespace MultiAgent.IntegrationTests.Hosting;

/// <summary>
/// The AppHost's restart policy on real processes run by Aspire (DCP): a small app model of shell commands, with short
/// delays so that a crash loop plays out in seconds.
/// </summary>
public sealed class RestartPolicyTests : IAsyncDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly string _folder = Directory.CreateTempSubdirectory("multiagent-restarts-").FullName;
    private DistributedApplication? _app;

    [Fact]
    public async Task A_process_that_exits_at_once_every_time_is_restarted_until_the_limit_then_left_in_a_crash_loop()
    {
        var starts = Path.Combine(_folder, "starts");
        var app = await StartAsync(builder => builder.AddExecutable("crasher", "sh", _folder, "-c", $"echo started >> '{starts}'; exit 3"));

        await app.ResourceNotifications.WaitForResourceAsync("crasher", ResourceRestarter.CrashLoopState, Timeout());

        Assert.Equal(3, File.ReadAllLines(starts).Length);
    }

    [Fact]
    public async Task A_killed_process_is_started_again_and_one_stopped_on_request_stays_stopped()
    {
        var app = await StartAsync(builder => builder.AddExecutable("sleeper", "sleep", _folder, "600"));
        var first = await RunningProcessAsync(app, except: null);

        using (var process = System.Diagnostics.Process.GetProcessById(first))
        {
            process.Kill();
        }

        var second = await RunningProcessAsync(app, except: first);
        var commands = app.Services.GetRequiredService<ResourceCommandService>();
        var stopped = await commands.ExecuteCommandAsync("sleeper", KnownResourceCommands.StopCommand);
        await app.ResourceNotifications.WaitForResourceAsync("sleeper", e => KnownResourceStates.TerminalStates.Contains(e.Snapshot.State?.Text), Timeout());

        Assert.NotEqual(first, second);
        Assert.True(stopped.Success, stopped.Message);
        // Ten restart delays pass; a stop on request is never undone.
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            app.ResourceNotifications.WaitForResourceAsync("sleeper", KnownResourceStates.Running, wait.Token));
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }

        Directory.Delete(_folder, recursive: true);
    }

    private async Task<DistributedApplication> StartAsync(Action<IDistributedApplicationBuilder> addResource)
    {
        // No AppHost project of its own: the MultiAgent AppHost's assembly says where DCP is.
        var builder = DistributedApplication.CreateBuilder(new DistributedApplicationOptions
        {
            Args = ["--MultiAgent:Restart:Delay=00:00:00.2", "--MultiAgent:Restart:MaxDelay=00:00:00.5", "--MultiAgent:Restart:MaxRestarts=3"],
            AssemblyName = "MultiAgent.AppHost",
            DisableDashboard = true,
        });
        addResource(builder);
        foreach (var resource in builder.Resources.OfType<ExecutableResource>().ToList())
        {
            builder.CreateResourceBuilder(resource).WithRestartPolicy();
        }

        _app = builder.Build();
        await _app.StartAsync(Timeout());
        return _app;
    }

    private static async Task<int> RunningProcessAsync(DistributedApplication app, int? except)
    {
        var running = await app.ResourceNotifications.WaitForResourceAsync("sleeper", e =>
                e.Snapshot.State?.Text == KnownResourceStates.Running
                && ProcessIdOf(e) is { } pid && pid != except,
            Timeout());
        return ProcessIdOf(running)!.Value;
    }

    private static int? ProcessIdOf(ResourceEvent e) =>
        e.Snapshot.Properties.FirstOrDefault(p => p.Name == "executable.pid")?.Value is { } pid
            ? Convert.ToInt32(pid, CultureInfo.InvariantCulture)
            : null;

    private static CancellationToken Timeout() => new CancellationTokenSource(Patience).Token;
}
