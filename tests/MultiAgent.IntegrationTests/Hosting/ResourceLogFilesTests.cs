using Aspire.Hosting;
using MultiAgent.Hosting.Logs;
using MultiAgent.IntegrationTests.Infrastructure;
using MultiAgent.Hosting.Restarts;

namespace MultiAgent.IntegrationTests.Hosting;

/// <summary>The AppHost writes every resource's output to files of its own, across restarts, readable by the owner only.</summary>
public sealed class ResourceLogFilesTests : IDisposable
{
    private readonly string _dataRoot = Directory.CreateTempSubdirectory("multiagent-logs-").FullName;

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task A_crashing_processes_output_of_every_run_is_in_its_log_file_stderr_marked()
    {
        await using var model = await SmallAppModel.StartAsync(
            ["--MultiAgent:Restart:Delay=00:00:00.2", "--MultiAgent:Restart:MaxDelay=00:00:00.5", "--MultiAgent:Restart:MaxRestarts=2"],
            builder => builder
                .AddExecutable("talker", "sh", _dataRoot, "-c", "echo \"hello from $$\"; echo 'it went wrong' >&2; exit 3")
                .WithRestartPolicy()
                .WithLogFiles(_dataRoot));
        await model.WaitForStateAsync("talker", state => state == ResourceRestarter.CrashLoopState);

        var folder = Path.Combine(_dataRoot, "logs", "talker");
        var lines = await Eventually.ReturnsAsync(
            _ => Task.FromResult(ReadAll(folder)), l => l.Count(x => x.EndsWith("Z stderr it went wrong", StringComparison.Ordinal)) == 2,
            TimeSpan.FromSeconds(30), "both runs' standard error in the log file");

        var file = Assert.Single(Directory.GetFiles(folder));
        Assert.Matches(@"talker-\d{8}\.log$", file);
        // Each line starts with its time; what went to standard output has no mark.
        Assert.Equal(2, lines.Count(l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^\d{4}-\d\d-\d\dT[0-9:.]+Z hello from \d+$")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(folder));
    }

    public void Dispose() => Directory.Delete(_dataRoot, recursive: true);

    private static IReadOnlyList<string> ReadAll(string folder)
    {
        if (!Directory.Exists(folder))
        {
            return [];
        }

        // The sink keeps the file open for writing; read it shared.
        return Directory.GetFiles(folder).SelectMany(path =>
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        }).ToList();
    }
}
