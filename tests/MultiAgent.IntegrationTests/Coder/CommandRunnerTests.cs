using Agents.Coder.Safety;
using Agents.Coder.Tools;

namespace MultiAgent.IntegrationTests.Coder;

/// <summary>Commands (the repository's check) run as processes without the agent's secrets and within their limits.</summary>
public sealed class CommandRunnerTests : IDisposable
{
    private readonly CoderTestFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task The_check_runs_without_the_agents_secrets()
    {
        Environment.SetEnvironmentVariable("MultiAgent__CoderTest__ApiKey", "sk-test-secret-1");
        Environment.SetEnvironmentVariable("OPENAI_CODER_TEST_KEY", "sk-test-secret-2");
        Environment.SetEnvironmentVariable("GITHUB_CODER_TEST_TOKEN", "ghp-test-secret-3");
        try
        {
            var result = await CommandRunner.RunAsync("env", _folder.Workspace, TimeSpan.FromMinutes(1), 100_000, CancellationToken.None);

            Assert.Equal(0, result.ExitCode);
            var names = result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('=')[0]).ToList();
            // The shell adds PWD, SHLVL and _ of its own; nothing else comes in.
            Assert.Empty(names.Except(["PATH", "HOME", "LANG", "TMPDIR", "PWD", "SHLVL", "_", "OLDPWD"]));
            Assert.Contains("LANG=C.UTF-8", result.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("sk-test-secret", result.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("ghp-test-secret", result.Output, StringComparison.Ordinal);
            var home = result.Output.Split('\n').Single(l => l.StartsWith("HOME=", StringComparison.Ordinal))["HOME=".Length..];
            Assert.NotEqual(Environment.GetEnvironmentVariable("HOME"), home);
            Assert.Contains("multiagent-coder-", home, StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable("MultiAgent__CoderTest__ApiKey", null);
            Environment.SetEnvironmentVariable("OPENAI_CODER_TEST_KEY", null);
            Environment.SetEnvironmentVariable("GITHUB_CODER_TEST_TOKEN", null);
        }
    }

    [Fact]
    public async Task The_check_runs_in_the_workspace()
    {
        var result = await CommandRunner.RunAsync("pwd", _folder.Workspace, TimeSpan.FromMinutes(1), 1000, CancellationToken.None);

        Assert.Equal(new WorkspacePaths(_folder.Workspace).Root, result.Output.Trim());
    }

    [Fact]
    public async Task A_check_that_runs_too_long_is_killed_with_its_children()
    {
        var marker = Path.Combine(_folder.Outside, "child-survived");
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var result = await CommandRunner.RunAsync(
            $"(sleep 3; touch '{marker}') & echo started; sleep 60", _folder.Workspace, TimeSpan.FromMilliseconds(500), 1000, CancellationToken.None);

        Assert.True(result.TimedOut);
        Assert.Null(result.ExitCode);
        Assert.Contains("started", result.Output, StringComparison.Ordinal);
        Assert.Contains("time limit", result.Output, StringComparison.Ordinal);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"took {clock.Elapsed}");
        // The child was killed with the shell: its marker never appears, however long we give it.
        using var watcher = new FileSystemWatcher(_folder.Outside);
        var created = new TaskCompletionSource();
        watcher.Created += (_, _) => created.TrySetResult();
        watcher.EnableRaisingEvents = true;
        var appeared = await Task.WhenAny(created.Task, Task.Delay(TimeSpan.FromSeconds(4))) == created.Task || File.Exists(marker);
        Assert.False(appeared, "a child of the killed check kept running");
    }

    [Fact]
    public async Task Command_output_is_cut_to_its_bound_keeping_head_and_tail()
    {
        var result = await CommandRunner.RunAsync(
            "echo FIRST; i=0; while [ $i -lt 2000 ]; do echo filler-line-$i; i=$((i+1)); done; echo LAST", _folder.Workspace, TimeSpan.FromMinutes(1), 200, CancellationToken.None);

        Assert.Equal(0, result.ExitCode);
        Assert.StartsWith("FIRST", result.Output, StringComparison.Ordinal);
        Assert.EndsWith("LAST\n", result.Output, StringComparison.Ordinal);
        Assert.Contains("characters left out", result.Output, StringComparison.Ordinal);
        Assert.True(result.Output.Length < 300);
    }
}
