using Agents.Coder.Safety;
using Agents.Coder.Tools;

namespace MultiAgent.Tests.Coder;

/// <summary>Paths stay inside the workspace; commands run without the agent's secrets and within their limits.</summary>
public sealed class CoderSafetyTests : IDisposable
{
    private readonly CoderTestFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Theory]
    [InlineData("../x")]
    [InlineData("src/../../x")]
    [InlineData("/etc/passwd")]
    [InlineData("~/secrets")]
    [InlineData(".git/config")]
    public async Task Paths_outside_the_workspace_are_refused(string path)
    {
        var toolbox = _folder.Toolbox();

        await Assert.ThrowsAsync<PathRefusedException>(() => toolbox.Find("read_file")!.RunAsync(CodingToolTests.Json(new { path }), CancellationToken.None));
        await Assert.ThrowsAsync<PathRefusedException>(() => toolbox.Find("write_file")!.RunAsync(CodingToolTests.Json(new { path, content = "x" }), CancellationToken.None));
        Assert.False(File.Exists(Path.Combine(_folder.Root, "x")));
    }

    [Fact]
    public async Task A_symlink_to_a_file_outside_is_refused_for_reading_and_writing()
    {
        var secret = Path.Combine(_folder.Outside, "secret.txt");
        await File.WriteAllTextAsync(secret, "top secret\n");
        File.CreateSymbolicLink(Path.Combine(_folder.Workspace, "link.txt"), secret);
        var toolbox = _folder.Toolbox();

        var read = await Assert.ThrowsAsync<PathRefusedException>(() => toolbox.Find("read_file")!.RunAsync(CodingToolTests.Json(new { path = "link.txt" }), CancellationToken.None));
        await Assert.ThrowsAsync<PathRefusedException>(() => toolbox.Find("write_file")!.RunAsync(CodingToolTests.Json(new { path = "link.txt", content = "changed" }), CancellationToken.None));

        Assert.Contains("symbolic link", read.Message, StringComparison.Ordinal);
        Assert.Equal("top secret\n", await File.ReadAllTextAsync(secret));
    }

    [Fact]
    public async Task A_symlinked_folder_that_leads_outside_is_refused_even_for_new_files()
    {
        Directory.CreateSymbolicLink(Path.Combine(_folder.Workspace, "out"), _folder.Outside);
        var toolbox = _folder.Toolbox();

        await Assert.ThrowsAsync<PathRefusedException>(() => toolbox.Find("write_file")!.RunAsync(CodingToolTests.Json(new { path = "out/new/planted.txt", content = "x" }), CancellationToken.None));
        await Assert.ThrowsAsync<PathRefusedException>(() => toolbox.Find("list_files")!.RunAsync(CodingToolTests.Json(new { path = "out" }), CancellationToken.None));

        Assert.False(Directory.Exists(Path.Combine(_folder.Outside, "new")));
    }

    [Fact]
    public async Task A_dangling_symlink_to_outside_is_refused_so_nothing_is_created_there()
    {
        var target = Path.Combine(_folder.Outside, "planted.txt");
        File.CreateSymbolicLink(Path.Combine(_folder.Workspace, "dangling.txt"), target);
        var toolbox = _folder.Toolbox();

        await Assert.ThrowsAsync<PathRefusedException>(() => toolbox.Find("write_file")!.RunAsync(CodingToolTests.Json(new { path = "dangling.txt", content = "x" }), CancellationToken.None));

        Assert.False(File.Exists(target));
    }

    [Fact]
    public void A_symlink_that_stays_inside_is_allowed()
    {
        _folder.Write("docs/real.md", "inside");
        File.CreateSymbolicLink(Path.Combine(_folder.Workspace, "alias.md"), Path.Combine(_folder.Workspace, "docs", "real.md"));
        var paths = new WorkspacePaths(_folder.Workspace);

        Assert.Equal(Path.Combine(paths.Root, "alias.md"), paths.Resolve("alias.md"));
        Assert.Equal(Path.Combine(paths.Root, "docs", "new.md"), paths.Resolve("docs/new.md"));
    }

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
