using System.Diagnostics;

namespace MultiAgent.IntegrationTests.AppHost;

/// <summary>The systemd unit <c>./build.sh install-service</c> installs (rendered, not installed: no test changes /etc).</summary>
public sealed class ServiceUnitTests
{
    // The checkout: the folder above the AppHost's project that holds build.sh.
    private static readonly string Checkout = FindCheckout(Projects.MultiAgent_AppHost.ProjectPath);

    [Fact]
    public async Task The_unit_runs_the_built_AppHost_from_this_checkout_restarts_it_and_reads_its_settings_file()
    {
        var unit = await RunAsync("bash", Path.Combine(Checkout, "build.sh"), "service-unit");
        var folder = Directory.CreateTempSubdirectory("multiagent-unit-").FullName;
        var path = Path.Combine(folder, "multiagent.service");
        await File.WriteAllTextAsync(path, unit.Stdout);
        var verified = File.Exists("/usr/bin/systemd-analyze") ? await RunAsync("/usr/bin/systemd-analyze", "verify", path) : default;
        Directory.Delete(folder, recursive: true);

        Assert.True(unit.ExitCode == 0, unit.Stderr);
        Assert.Contains($"ExecStart={DotnetOnPath()} run --no-build --configuration Release --project {Checkout}/src/MultiAgent.AppHost --launch-profile http\n", unit.Stdout, StringComparison.Ordinal);
        Assert.Contains($"WorkingDirectory={Checkout}\n", unit.Stdout, StringComparison.Ordinal);
        Assert.Contains("Environment=MultiAgent__DataRoot=/var/lib/multiagent\n", unit.Stdout, StringComparison.Ordinal);
        Assert.Contains("EnvironmentFile=-/etc/multiagent/multiagent.env\n", unit.Stdout, StringComparison.Ordinal);
        Assert.Contains("Restart=on-failure\n", unit.Stdout, StringComparison.Ordinal);
        Assert.Contains("WantedBy=multi-user.target\n", unit.Stdout, StringComparison.Ordinal);
        // systemd's own check, where the machine has it: it prints every line it cannot parse.
        Assert.Equal("", verified.Stderr + verified.Stdout);
    }

    private static string FindCheckout(string path)
    {
        for (var folder = Path.GetFullPath(path); folder is not null; folder = Path.GetDirectoryName(folder))
        {
            if (File.Exists(Path.Combine(folder, "build.sh")))
            {
                return folder;
            }
        }

        throw new InvalidOperationException($"no build.sh above {path}");
    }

    private static string DotnetOnPath() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':')
            .Select(folder => Path.Combine(folder, "dotnet")).First(File.Exists);

    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string command, params string[] args)
    {
        var start = new ProcessStartInfo(command) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Checkout };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }
}
