using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using MultiAgent.Hosting.Restarts;

namespace MultiAgent.IntegrationTests.Hosting;

/// <summary>
/// The AppHost's restart policy on real processes run by Aspire (DCP), with short delays so that a crash loop plays
/// out in seconds.
/// </summary>
public sealed class RestartPolicyTests : IDisposable
{
    private static readonly string[] FastRestarts =
        ["--MultiAgent:Restart:Delay=00:00:00.2", "--MultiAgent:Restart:MaxDelay=00:00:00.5", "--MultiAgent:Restart:MaxRestarts=3"];

    private readonly string _folder = Directory.CreateTempSubdirectory("multiagent-restarts-").FullName;

    [Fact]
    public async Task A_process_that_exits_at_once_every_time_is_restarted_until_the_limit_then_left_in_a_crash_loop()
    {
        var starts = Path.Combine(_folder, "starts");
        await using var model = await SmallAppModel.StartAsync(FastRestarts, builder => builder
            .AddExecutable("crasher", "sh", _folder, "-c", $"echo started >> '{starts}'; exit 3")
            .WithRestartPolicy());

        await model.WaitForStateAsync("crasher", state => state == ResourceRestarter.CrashLoopState);

        Assert.Equal(3, File.ReadAllLines(starts).Length);
    }

    [Fact]
    public async Task A_killed_process_is_started_again_and_one_stopped_on_request_stays_stopped()
    {
        await using var model = await SmallAppModel.StartAsync(FastRestarts, builder => builder
            .AddExecutable("sleeper", "sleep", _folder, "600")
            .WithRestartPolicy());
        var first = await model.RunningProcessAsync("sleeper");

        using (var process = System.Diagnostics.Process.GetProcessById(first))
        {
            process.Kill();
        }

        var second = await model.RunningProcessAsync("sleeper", except: first);
        var stopped = await model.App.Services.GetRequiredService<ResourceCommandService>()
            .ExecuteCommandAsync("sleeper", KnownResourceCommands.StopCommand);
        await model.WaitForStateAsync("sleeper", state => KnownResourceStates.TerminalStates.Contains(state));

        Assert.NotEqual(first, second);
        Assert.True(stopped.Success, stopped.Message);
        // Ten restart delays pass; a stop on request is never undone.
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            model.App.ResourceNotifications.WaitForResourceAsync("sleeper", KnownResourceStates.Running, wait.Token));
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
