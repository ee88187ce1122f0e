using Agents.Coder;
using Agents.Coder.Tools;
using MultiAgent.IntegrationTests.Repositories.Local;

namespace MultiAgent.IntegrationTests.Coder;

/// <summary>
/// The check that runs is the base branch's <c>.multiagent/check</c> as the job started from it, read from git's
/// objects, never the job branch's copy the model writes to; real bare repositories and workspaces.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class CheckDefinitionTests : WorkspaceTestBase
{
    private const string Branch = "agent/job-check";

    [Fact]
    public async Task A_check_file_changed_on_the_job_branch_is_not_what_runs_in_a_later_iteration()
    {
        var repository = await Sandbox.CreateRepositoryAsync();
        await Sandbox.CommitAsync(repository.LocalPath!, "main", ".multiagent/check", "echo from-the-base; exit 0\n", "Add the check");
        // Iteration 1 (the model) weakened the check on the job branch; later, main moved on with a check of its own.
        await Sandbox.CommitAsync(repository.LocalPath!, Branch, ".multiagent/check", "echo from-the-job-branch; exit 0\n", "Weaken the check");
        await Sandbox.CommitAsync(repository.LocalPath!, "main", ".multiagent/check", "echo from-a-later-base; exit 0\n", "Change the check");

        // Iteration 2: the workspace is the job branch, with the weakened file in its working tree.
        await using var workspace = await Manager().CreateAsync(repository, SourceOf(repository), "main", Branch);
        var toolbox = new CodingToolbox(
            workspace.Path, await workspace.ReadBaseFileAsync(CheckRunner.CheckFile), new CoderOptions { CheckCommand = "exit 9" }, TestSandboxes.Default);
        var text = await toolbox.Find("run_check")!.RunAsync(CoderTestFolder.Json(new { }), CancellationToken.None);

        Assert.Equal("echo from-the-job-branch; exit 0\n", await File.ReadAllTextAsync(Path.Combine(workspace.Path, ".multiagent", "check")));
        Assert.StartsWith("check exit code 0 (passed)", text, StringComparison.Ordinal);
        Assert.Contains("from-the-base", text, StringComparison.Ordinal);
        Assert.DoesNotContain("from-the-job-branch", text, StringComparison.Ordinal);
        Assert.DoesNotContain("from-a-later-base", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_check_file_that_is_a_symbolic_link_in_the_base_is_ignored_for_the_configured_command()
    {
        var repository = await Sandbox.CreateRepositoryAsync();
        var scratch = Path.Combine(Sandbox.Root, "scratch-link");
        await Sandbox.RunAsync(Sandbox.Root, "clone", "--quiet", "--", repository.LocalPath!, scratch);
        await File.WriteAllTextAsync(Path.Combine(scratch, "elsewhere.sh"), "echo through-the-link\n");
        Directory.CreateDirectory(Path.Combine(scratch, ".multiagent"));
        File.CreateSymbolicLink(Path.Combine(scratch, ".multiagent", "check"), "../elsewhere.sh");
        await Sandbox.RunAsync(scratch, "add", "--all");
        await Sandbox.RunAsync(scratch, "commit", "--quiet", "-m", "Check through a link");
        await Sandbox.RunAsync(scratch, "push", "--quiet", "origin", "HEAD:refs/heads/main");

        await using var workspace = await Manager().CreateAsync(repository, SourceOf(repository), "main", Branch);
        var check = CheckRunner.For(
            workspace.Path, await workspace.ReadBaseFileAsync(CheckRunner.CheckFile), new CoderOptions { CheckCommand = "echo from-settings" }, TestSandboxes.Default);

        Assert.Null(await workspace.ReadBaseFileAsync(CheckRunner.CheckFile));
        Assert.Equal("echo through-the-link\n", await workspace.ReadBaseFileAsync("elsewhere.sh"));
        Assert.Equal("MultiAgent:Coder:CheckCommand", check.Source);
        Assert.Equal("echo from-settings", check.Command);
    }

    [Fact]
    public async Task Hooks_planted_in_a_workspace_never_run_when_the_agent_commits()
    {
        var repository = await Sandbox.CreateRepositoryAsync();
        await using var workspace = await Manager().CreateAsync(repository, SourceOf(repository), "main", Branch);
        var marker = Path.Combine(Sandbox.Root, "hook-ran");
        foreach (var hook in new[] { "pre-commit", "commit-msg", "post-commit", "pre-push", "reference-transaction" })
        {
            var file = Path.Combine(workspace.Path, ".git", "hooks", hook);
            await File.WriteAllTextAsync(file, $"#!/bin/sh\necho {hook} >> '{marker}'\n");
            File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        await File.WriteAllTextAsync(Path.Combine(workspace.Path, "new.txt"), "new\n");
        var sha = await workspace.CommitAllAsync("A change");
        await workspace.PushAsync();

        Assert.NotNull(sha);
        Assert.Equal(sha, await Sandbox.BranchShaAsync(repository, Branch));
        Assert.False(File.Exists(marker), File.Exists(marker) ? await File.ReadAllTextAsync(marker) : null);
    }
}
