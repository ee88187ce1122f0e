using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Agents.Coder;
using Agents.Coder.Safety;
using Agents.Coder.Sandbox;
using Agents.Coder.Tools;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using MultiAgent.Repositories.Git;
using MultiAgent.IntegrationTests.Infrastructure;

namespace MultiAgent.IntegrationTests.Coder;

/// <summary>
/// Hostile checks against the real sandbox (bubblewrap, and the setpriv fallback for what it covers): real processes,
/// asserting what the check's output and the machine show afterwards. The machine must have bubblewrap and run the
/// tests as root (as ./build.sh setup and the CI image do).
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class SandboxTests : IDisposable
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);
    private readonly CoderTestFolder _folder = new();

    public SandboxTests()
    {
        // Like a workspace: the agent's clone with a commit.
        _folder.Write("README.md", "# demo\n");
        Git("init", "--quiet", "--initial-branch=main");
        Git("add", "--all");
        Git("commit", "--quiet", "-m", "First commit");
    }

    public void Dispose() => _folder.Dispose();

    public static TheoryData<SandboxMode> BothSandboxes => [SandboxMode.Bubblewrap, SandboxMode.Setpriv];

    [Fact]
    public async Task Auto_mode_finds_bubblewrap_on_this_machine_and_runs_the_check_as_uid_65534()
    {
        var sandbox = Sandbox(SandboxMode.Auto);

        var isolation = await sandbox.IsolationAsync();
        var result = await RunAsync(sandbox, "id -u; id -g; id");

        Assert.Equal(IsolationKind.Bubblewrap, isolation.Kind);
        Assert.Equal(0, result.ExitCode);
        var lines = result.Output.Split('\n');
        Assert.Equal("65534", lines[0]);
        Assert.Equal("65534", lines[1]);
        Assert.DoesNotContain("uid=0", result.Output, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(BothSandboxes))]
    public async Task The_check_runs_as_nobody_not_as_root(SandboxMode mode)
    {
        var result = await RunAsync(Sandbox(mode), "id");

        Assert.Equal(0, result.ExitCode);
        Assert.StartsWith("uid=65534", result.Output, StringComparison.Ordinal);
        Assert.Contains("gid=65534", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("(root)", result.Output, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(BothSandboxes))]
    public async Task The_agents_environment_and_other_processes_environments_are_out_of_reach(SandboxMode mode)
    {
        var secret = "sk-test-" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable("MULTIAGENT_TEST_SECRET", secret);
        // A process that stands for the agent: the secret is in its /proc/<pid>/environ, as the model key is in the Coder's.
        var start = new ProcessStartInfo("/bin/sleep", "60") { UseShellExecute = false };
        start.Environment["MULTIAGENT_TEST_SECRET"] = secret;
        using var agent = Process.Start(start)!;
        try
        {
            Assert.Contains(secret, await File.ReadAllTextAsync($"/proc/{agent.Id}/environ"), StringComparison.Ordinal);

            var result = await RunAsync(Sandbox(mode),
                $"exec 2>&1; env; echo; cat /proc/$PPID/environ; cat /proc/{agent.Id}/environ; for f in /proc/[0-9]*/environ; do cat \"$f\"; done; echo; ps -ef; echo done");

            Assert.Contains("LANG=C.UTF-8", result.Output, StringComparison.Ordinal);
            Assert.EndsWith("done\n", result.Output, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, result.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("MULTIAGENT_TEST_SECRET", result.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("sleep 60", result.Output, StringComparison.Ordinal);
        }
        finally
        {
            agent.Kill();
            Environment.SetEnvironmentVariable("MULTIAGENT_TEST_SECRET", null);
        }
    }

    [Fact]
    public async Task A_world_readable_file_outside_the_workspace_cannot_be_read_in_bubblewrap()
    {
        var (file, secret) = DataFolderPassword();

        // One stream (2>&1 in the shell): "done" comes last only if stdout and stderr are not two pipes read apart.
        var result = await RunAsync(Sandbox(SandboxMode.Bubblewrap), $"exec 2>&1; cat '{file}'; ls -la '{Path.GetDirectoryName(file)}'; ls /root /home /work; echo done");

        Assert.EndsWith("done\n", result.Output, StringComparison.Ordinal);
        Assert.Contains("No such file or directory", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, result.Output, StringComparison.Ordinal);
        // Neither the file nor its folder exists in the sandbox (cat and ls both say so).
        Assert.Contains($"cat: {file}: No such file or directory", result.Output, StringComparison.Ordinal);
        Assert.Contains($"ls: cannot access '{Path.GetDirectoryName(file)}': No such file or directory", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_setpriv_fallback_does_not_hide_world_readable_files_which_is_why_it_is_the_weaker_one()
    {
        var (file, secret) = DataFolderPassword();

        var result = await RunAsync(Sandbox(SandboxMode.Setpriv), $"cat '{file}'");

        // Documented weakness: the fallback only has nobody's rights to stop it, and the file is readable by all.
        Assert.Contains(secret, result.Output, StringComparison.Ordinal);
        Assert.Contains("whole file system is visible", (await Sandbox(SandboxMode.Setpriv).IsolationAsync()).Description, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(BothSandboxes))]
    public async Task The_check_cannot_reach_a_listener_on_the_hosts_loopback(SandboxMode mode)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;

        var result = await RunAsync(Sandbox(mode), $"if bash -c 'echo hello > /dev/tcp/127.0.0.1/{port}'; then echo CONNECTED; else echo UNREACHABLE; fi");

        Assert.Contains("UNREACHABLE", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("CONNECTED", result.Output, StringComparison.Ordinal);
        Assert.False(listener.Pending(), "a connection from the check arrived");
    }

    [Fact]
    public async Task With_the_network_allowed_the_same_connection_arrives()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var sandbox = new CheckSandbox(SandboxMode.Bubblewrap, new CheckSandboxOptions { AllowNetwork = true });

        var result = await RunAsync(sandbox, $"if bash -c 'echo hello > /dev/tcp/127.0.0.1/{port}'; then echo CONNECTED; else echo UNREACHABLE; fi");

        Assert.Contains("CONNECTED", result.Output, StringComparison.Ordinal);
        using var accepted = await listener.AcceptTcpClientAsync().WaitAsync(Generous);
        Assert.True(accepted.Connected);
    }

    [Theory]
    [MemberData(nameof(BothSandboxes))]
    public async Task A_fork_bomb_stops_at_the_process_limit_and_leaves_nothing_behind(SandboxMode mode)
    {
        var marker = Marker();
        var clock = Stopwatch.StartNew();

        var result = await RunAsync(Sandbox(mode),
            $"i=0; while [ $i -lt 500 ]; do sleep {marker} & i=$((i+1)); done; echo all-500-started", timeout: Generous);

        Assert.False(result.TimedOut, result.Output);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("fork", result.Output, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("all-500-started", result.Output, StringComparison.Ordinal);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"took {clock.Elapsed}");
        await NoProcessLeftAsync(marker);
    }

    [Theory]
    [MemberData(nameof(BothSandboxes))]
    public async Task Allocating_far_past_the_address_space_limit_fails_inside_the_check(SandboxMode mode)
    {
        var result = await RunAsync(Sandbox(mode), "awk 'BEGIN { s = \"x\"; while (1) s = s s }'; echo awk-exit=$?");

        Assert.Contains("out of memory", result.Output, StringComparison.Ordinal);
        Assert.Contains("awk-exit=2", result.Output, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(BothSandboxes))]
    public async Task A_file_past_the_size_limit_is_cut_off(SandboxMode mode)
    {
        var result = await RunAsync(Sandbox(mode), "head -c 20000000 /dev/zero > big.bin; echo head-exit=$?");

        Assert.DoesNotContain("head-exit=0", result.Output, StringComparison.Ordinal);
        Assert.Equal(TestLimits.MaxFileSizeBytes, new FileInfo(Path.Combine(_folder.Workspace, "big.bin")).Length);
    }

    [Theory]
    [MemberData(nameof(BothSandboxes))]
    public async Task The_check_writes_the_workspace_but_neither_outside_it_nor_into_git_and_the_agent_commits_what_it_wrote(SandboxMode mode)
    {
        var config = await File.ReadAllTextAsync(Path.Combine(_folder.Workspace, ".git", "config"));
        var outside = Path.Combine(_folder.Outside, "planted.txt");
        // A link in the workspace to a file of the agent's outside it: handing the workspace over must not follow it.
        var victim = Path.Combine(_folder.Outside, "victim.txt");
        await File.WriteAllTextAsync(victim, "the agent's\n");
        File.CreateSymbolicLink(Path.Combine(_folder.Workspace, "link-out"), victim);

        var result = await RunAsync(Sandbox(mode), string.Join("; ",
            "echo built > out.txt && echo wrote-inside",
            "mkdir -p obj/Debug && echo artefact > obj/Debug/app.dll && echo wrote-subfolder",
            $"echo evil > '{outside}' && echo wrote-outside",
            "mkdir -p .git/hooks; echo 'touch /tmp/pwned' > .git/hooks/pre-commit && echo wrote-hook",
            "echo '[core] hooksPath = /tmp' >> .git/config && echo wrote-config",
            "echo changed >> link-out && echo wrote-through-link",
            "echo end"));

        Assert.Contains("wrote-inside", result.Output, StringComparison.Ordinal);
        Assert.Contains("wrote-subfolder", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("wrote-outside", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("wrote-hook", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("wrote-config", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("wrote-through-link", result.Output, StringComparison.Ordinal);
        Assert.Equal("the agent's\n", await File.ReadAllTextAsync(victim));
        Assert.Equal("0", Owner(victim));
        Assert.False(File.Exists(outside));
        Assert.False(File.Exists(Path.Combine(_folder.Workspace, ".git", "hooks", "pre-commit")));
        Assert.Equal(config, await File.ReadAllTextAsync(Path.Combine(_folder.Workspace, ".git", "config")));

        // What the check wrote is the agent's again, and the agent's git (as root) stages and commits it.
        Assert.Equal(Owner("."), Owner("out.txt"));
        Assert.Equal(Owner("."), Owner("obj/Debug/app.dll"));
        Assert.Equal(Owner(".git"), Owner("out.txt"));
        Git("add", "--all");
        Git("commit", "--quiet", "-m", "After the check");
        var committed = Git("show", "--name-only", "--format=", "HEAD").Split('\n');
        Assert.Equal(["link-out", "obj/Debug/app.dll", "out.txt"], committed.Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(BothSandboxes))]
    public async Task A_check_past_its_wall_time_is_killed_with_its_whole_tree_including_escaped_daemons(SandboxMode mode)
    {
        var marker = Marker();
        var clock = Stopwatch.StartNew();

        var result = await RunAsync(Sandbox(mode),
            $"(sleep {marker} &); setsid sleep {marker} > /dev/null 2>&1 < /dev/null & echo started; sleep {marker}",
            timeout: TimeSpan.FromSeconds(2));

        Assert.True(result.TimedOut);
        Assert.Null(result.ExitCode);
        Assert.Contains("started", result.Output, StringComparison.Ordinal);
        Assert.Contains("time limit", result.Output, StringComparison.Ordinal);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"took {clock.Elapsed}");
        await NoProcessLeftAsync(marker);
    }

    [Fact]
    public async Task Without_any_sandbox_checks_are_refused_with_a_clear_result_and_nothing_runs()
    {
        var sandbox = new CheckSandbox(SandboxMode.Auto, TestLimits.Options(), tools: new SystemTools(null, null, null, null, null, null));
        var check = CheckRunner.For(_folder.Workspace, "touch ran.txt", new CoderOptions(), sandbox);

        var isolation = await sandbox.IsolationAsync();
        var result = await check.RunAsync(CancellationToken.None);

        Assert.Equal(IsolationKind.Refused, isolation.Kind);
        Assert.NotNull(result!.RefusedReason);
        Assert.StartsWith("check refused: the check was not run: no sandbox is available", CheckRunner.Describe(result), StringComparison.Ordinal);
        Assert.Contains("MultiAgent:Coder:Sandbox=none", result.RefusedReason, StringComparison.Ordinal);
        Assert.Equal(MultiAgent.Contracts.CheckOutcome.NotRun, CheckRunner.OutcomeOf(result));
        Assert.False(File.Exists(Path.Combine(_folder.Workspace, "ran.txt")));
        var health = await new SandboxHealthCheck(sandbox).CheckHealthAsync(new HealthCheckContext());
        Assert.Equal(HealthStatus.Degraded, health.Status);
        Assert.StartsWith("checks are refused", health.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task None_runs_checks_unsandboxed_only_when_set_and_health_says_so()
    {
        var sandbox = new CheckSandbox(SandboxMode.None, TestLimits.Options(), tools: new SystemTools(null, null, null, null, null, null));

        var result = await RunAsync(sandbox, "id -u");
        var health = await new SandboxHealthCheck(sandbox).CheckHealthAsync(new HealthCheckContext());

        Assert.Equal(IsolationKind.None, (await sandbox.IsolationAsync()).Kind);
        Assert.Equal(Owner("."), result.Output.Trim());
        Assert.Equal(HealthStatus.Degraded, health.Status);
        Assert.StartsWith("checks are not sandboxed", health.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_coders_health_shows_the_isolation_in_force_from_its_settings()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["MultiAgent:Coder:Sandbox"] = "setpriv",
            ["MultiAgent:Coder:CheckSandbox:MaxProcesses"] = "99",
        }).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddCoder(configuration);
        await using var provider = services.BuildServiceProvider();

        var report = await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync();

        var entry = report.Entries[SandboxHealthCheck.Name];
        Assert.Equal(HealthStatus.Healthy, entry.Status);
        Assert.Equal("Setpriv", entry.Data["isolation"]);
        Assert.Contains("setpriv fallback (weaker", entry.Description, StringComparison.Ordinal);
        Assert.Contains("99 processes", entry.Description, StringComparison.Ordinal);
    }

    private static CheckSandbox Sandbox(SandboxMode mode) => TestLimits.Sandboxes.GetOrAdd(mode, m => new CheckSandbox(m, TestLimits.Options()));

    private Task<CommandResult> RunAsync(CheckSandbox sandbox, string command, TimeSpan? timeout = null) =>
        sandbox.RunAsync(command, _folder.Workspace, timeout ?? Generous, 100_000, CancellationToken.None);

    /// <summary>A file standing for the data folder's postgres.password: world-readable, in a folder anyone may enter.</summary>
    private (string File, string Secret) DataFolderPassword()
    {
        var data = Path.Combine(_folder.Outside, "data");
        Directory.CreateDirectory(data);
        var file = Path.Combine(data, "postgres.password");
        var secret = "pg-test-" + Guid.NewGuid().ToString("N");
        File.WriteAllText(file, secret);
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        return (file, secret);
    }

    /// <summary>A sleep duration no other process on the machine has on its command line.</summary>
    private static string Marker() => string.Create(CultureInfo.InvariantCulture, $"{Random.Shared.Next(1000, 9000)}.{Random.Shared.Next(100000, 999999)}");

    /// <summary>No process on the machine (the host's view) still runs with <paramref name="marker"/> on its command line.</summary>
    private static Task NoProcessLeftAsync(string marker) =>
        Eventually.ReturnsAsync(_ => Task.FromResult(ProcessesWith(marker)), n => n == 0, TimeSpan.FromSeconds(10), $"every 'sleep {marker}' to be gone");

    private static int ProcessesWith(string marker)
    {
        var count = 0;
        foreach (var folder in Directory.EnumerateDirectories("/proc"))
        {
            try
            {
                if (int.TryParse(Path.GetFileName(folder), out _) && File.ReadAllText(Path.Combine(folder, "cmdline")).Contains(marker, StringComparison.Ordinal))
                {
                    count++;
                }
            }
            catch (IOException)
            {
                // Gone while looking.
            }
        }

        return count;
    }

    private string Owner(string path)
    {
        var full = Path.IsPathRooted(path) ? path : Path.Combine(_folder.Workspace, path);
        var stat = Process.Start(new ProcessStartInfo("stat", ["-c", "%u", full]) { RedirectStandardOutput = true })!;
        var owner = stat.StandardOutput.ReadToEnd().Trim();
        stat.WaitForExit();
        return owner;
    }

    private string Git(params string[] arguments) =>
        new GitCli().RunAsync(_folder.Workspace, arguments, new GitRunOptions { Identity = new GitIdentity("Agent", "agent@example.test") })
            .GetAwaiter().GetResult().Output.Trim();
}

/// <summary>Small limits so that the hostile checks hit them quickly.</summary>
internal static class TestLimits
{
    public const long MaxFileSizeBytes = 1024 * 1024;

    public static readonly System.Collections.Concurrent.ConcurrentDictionary<SandboxMode, CheckSandbox> Sandboxes = new();

    public static CheckSandboxOptions Options() => new()
    {
        CpuTime = TimeSpan.FromSeconds(20),
        MaxAddressSpaceBytes = 256L * 1024 * 1024,
        MaxProcesses = 64,
        MaxFileSizeBytes = MaxFileSizeBytes,
        TmpSizeBytes = 64L * 1024 * 1024,
    };
}
