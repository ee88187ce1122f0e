using MultiAgent.Repositories;

namespace MultiAgent.IntegrationTests.Repositories.Local;

/// <summary>What a workspace may push: its own prefixed branch, never the base or the default branch.</summary>
public sealed class WorkspacePushTests : WorkspaceTestBase
{
    [Theory]
    [InlineData("feature-1")]
    [InlineData("main")]
    [InlineData("agent/")]
    [InlineData("agentx/feature")]
    public async Task A_branch_outside_the_prefix_is_refused_at_creation(string branch)
    {
        var repository = await Sandbox.CreateRepositoryAsync();

        var error = await FailsWith(RepositoryErrorKind.ProtectedBranch, () => Manager().CreateAsync(repository, SourceOf(repository), "main", branch));

        Assert.Contains("agent/", error.Message, StringComparison.Ordinal);
        Assert.Empty(Slots());
    }

    [Fact]
    public async Task The_default_branch_is_refused_even_when_it_carries_the_prefix()
    {
        var repository = await Sandbox.CreateRepositoryAsync(defaultBranch: "agent/main");
        await Sandbox.CommitAsync(repository.LocalPath!, "release", "r.txt", "r\n", "release", fromBranch: "agent/main");
        var defaultBefore = await Sandbox.BranchShaAsync(repository, "agent/main");

        var asBase = await FailsWith(
            RepositoryErrorKind.ProtectedBranch, () => Manager().CreateAsync(repository, SourceOf(repository), "agent/main", "agent/main"));
        var asDefault = await FailsWith(
            RepositoryErrorKind.ProtectedBranch, () => Manager().CreateAsync(repository, SourceOf(repository), "release", "agent/main"));

        Assert.Contains("base branch", asBase.Message, StringComparison.Ordinal);
        Assert.Contains("default branch", asDefault.Message, StringComparison.Ordinal);
        Assert.Equal(defaultBefore, await Sandbox.BranchShaAsync(repository, "agent/main"));
        Assert.Empty(Slots());
    }

    [Fact]
    public async Task A_workspace_switched_to_the_default_branch_refuses_to_commit_or_push()
    {
        var repository = await Sandbox.CreateRepositoryAsync();
        var mainBefore = await Sandbox.BranchShaAsync(repository, "main");
        await using var workspace = await Manager().CreateAsync(repository, SourceOf(repository), "main", "agent/feature");

        // Someone (a tool run in the workspace) checks out main and commits there.
        await Sandbox.RunAsync(workspace.Path, "checkout", "--quiet", "-B", "main", "origin/main");
        await File.WriteAllTextAsync(Path.Combine(workspace.Path, "sneaky.txt"), "x\n");

        await FailsWith(RepositoryErrorKind.ProtectedBranch, () => workspace.CommitAllAsync("sneak"));
        await Sandbox.RunAsync(workspace.Path, "add", "--all");
        await Sandbox.RunAsync(workspace.Path, "commit", "--quiet", "-m", "sneak");
        var error = await FailsWith(RepositoryErrorKind.ProtectedBranch, () => workspace.PushAsync());

        Assert.Contains("'main'", error.Message, StringComparison.Ordinal);
        Assert.Equal(mainBefore, await Sandbox.BranchShaAsync(repository, "main"));
        Assert.Null(await Sandbox.BranchShaAsync(repository, "agent/feature"));
    }

    [Fact]
    public async Task A_later_iteration_continues_the_pushed_branch()
    {
        var repository = await Sandbox.CreateRepositoryAsync();
        var manager = Manager();
        string first;
        await using (var iteration1 = await manager.CreateAsync(repository, SourceOf(repository), "main", "agent/feature-2"))
        {
            await File.WriteAllTextAsync(Path.Combine(iteration1.Path, "one.txt"), "1\n");
            first = (await iteration1.CommitAllAsync("Iteration 1"))!;
            await iteration1.PushAsync();
            await iteration1.CompleteAsync(succeeded: true);
        }

        await using var iteration2 = await manager.CreateAsync(repository, SourceOf(repository), "main", "agent/feature-2");
        Assert.Equal(first, await iteration2.HeadShaAsync());
        Assert.True(File.Exists(Path.Combine(iteration2.Path, "one.txt")));
        await File.WriteAllTextAsync(Path.Combine(iteration2.Path, "two.txt"), "2\n");
        var second = await iteration2.CommitAllAsync("Iteration 2");
        await iteration2.PushAsync();

        Assert.Equal(second, await Sandbox.BranchShaAsync(repository, "agent/feature-2"));
        Assert.Equal(first, await Sandbox.RunAsync(repository.LocalPath!, "rev-parse", second + "^"));
        Assert.Equal(["one.txt", "two.txt"], (await iteration2.ChangedFilesAsync()).Select(f => f.Path).Order());
        var author = await Sandbox.RunAsync(repository.LocalPath!, "log", "-1", "--format=%an <%ae>|%cn <%ce>", second!);
        Assert.Equal("MultiAgent Coder <coder@multiagent.local>|MultiAgent Coder <coder@multiagent.local>", author);
    }
}
