namespace MultiAgent.IntegrationTests.Repositories.Local;

/// <summary>Bringing the base branch into a job's branch after a merge conflict (the Coder's conflict round).</summary>
public sealed class WorkspaceMergeBaseTests : WorkspaceTestBase
{
    [Fact]
    public async Task A_conflicting_base_leaves_the_conflicted_files_with_their_hunks_and_the_resolution_commits_as_a_merge()
    {
        var repository = await Sandbox.CreateRepositoryAsync();
        var path = repository.LocalPath!;
        await Sandbox.CommitAsync(path, "agent/job-1", "shared.txt", "from the job\n", "the job's change");
        var baseHead = await Sandbox.CommitAsync(path, "main", "shared.txt", "from main\n", "another job merged first");
        await using var workspace = await Manager().CreateAsync(repository, SourceOf(repository), "main", "agent/job-1");

        var merge = await workspace.MergeBaseAsync(maxDiffChars: 10_000);

        Assert.NotNull(merge);
        Assert.Equal(["shared.txt"], merge.ConflictedFiles);
        Assert.Contains("<<<<<<< ", merge.Diff);
        Assert.Contains("from the job", merge.Diff);
        Assert.Contains("from main", merge.Diff);
        Assert.Equal(["shared.txt"], await workspace.WithConflictMarkersAsync(merge.ConflictedFiles));

        await File.WriteAllTextAsync(Path.Combine(workspace.Path, "shared.txt"), "from main\nfrom the job\n");
        Assert.Empty(await workspace.WithConflictMarkersAsync(merge.ConflictedFiles));
        var head = await workspace.CommitAllAsync("Resolve the conflict with main");
        await workspace.PushAsync();

        Assert.NotNull(head);
        var parents = (await Sandbox.RunAsync(path, "rev-list", "--parents", "-n", "1", head)).Trim().Split(' ');
        Assert.Equal(3, parents.Length); // a merge commit: the job's change and main's head
        Assert.Contains(baseHead, parents);
        Assert.Null(await workspace.MergeBaseAsync(10_000)); // main is part of the branch now
    }

    [Fact]
    public async Task A_base_that_merges_cleanly_is_committed_as_a_merge_without_conflicts()
    {
        var repository = await Sandbox.CreateRepositoryAsync();
        var path = repository.LocalPath!;
        await Sandbox.CommitAsync(path, "agent/job-2", "job.txt", "job\n", "the job's change");
        await Sandbox.CommitAsync(path, "main", "other.txt", "other\n", "another job merged first");
        await using var workspace = await Manager().CreateAsync(repository, SourceOf(repository), "main", "agent/job-2");

        var merge = await workspace.MergeBaseAsync(10_000);

        Assert.NotNull(merge);
        Assert.Empty(merge.ConflictedFiles);
        Assert.NotNull(await workspace.CommitAllAsync("Merge main"));
        Assert.True(File.Exists(Path.Combine(workspace.Path, "other.txt")));
    }
}
