using MultiAgent.Repositories;

namespace MultiAgent.IntegrationTests.Repositories.Local;

/// <summary>Workspace folders: removed when done, kept on failure when asked, evicted oldest first under the disk bound.</summary>
public sealed class WorkspaceLifecycleTests : WorkspaceTestBase
{
    [Fact]
    public async Task A_new_branch_starts_at_the_base_a_continued_one_at_its_own_tip_and_a_missing_base_is_not_found()
    {
        var repository = await Sandbox.CreateRepositoryAsync();
        var path = repository.LocalPath!;
        var baseWhenTheJobStarted = await Sandbox.BranchShaAsync(repository, "main");
        var jobHead = await Sandbox.CommitAsync(path, "agent/job-1", "job.txt", "the job\n", "the job's first iteration");
        var mainNow = await Sandbox.CommitAsync(path, "main", "other.txt", "other\n", "another job merged since");

        await using var fresh = await Manager().CreateAsync(repository, SourceOf(repository), "main", "agent/job-2");
        await using var continued = await Manager().CreateAsync(repository, SourceOf(repository), "main", "agent/job-1");
        var missing = await FailsWith(
            RepositoryErrorKind.NotFound, () => Manager().CreateAsync(repository, SourceOf(repository), "no-such-base", "agent/job-3"));

        Assert.Equal((mainNow, mainNow), (fresh.BaseCommit, await fresh.HeadShaAsync()));
        Assert.Equal((baseWhenTheJobStarted, jobHead), (continued.BaseCommit, await continued.HeadShaAsync()));
        Assert.Equal("Base branch 'no-such-base' does not exist in '" + repository + "'.", missing.Message);
    }

    [Fact]
    public async Task A_completed_or_disposed_workspace_is_removed()
    {
        var repository = await Sandbox.CreateRepositoryAsync();
        var manager = Manager();

        var completed = await manager.CreateAsync(repository, SourceOf(repository), "main", "agent/done");
        Assert.True(File.Exists(Path.Combine(completed.Path, "README.md")));
        await completed.CompleteAsync(succeeded: true);
        Assert.False(Directory.Exists(completed.Path));

        var failed = await manager.CreateAsync(repository, SourceOf(repository), "main", "agent/failed");
        await failed.DisposeAsync();
        Assert.False(Directory.Exists(failed.Path));

        Assert.Empty(Slots());
        Assert.Empty(Directory.GetFiles(Root));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => completed.CommitAllAsync("too late"));
    }

    [Fact]
    public async Task A_failed_workspace_is_kept_when_configured_and_a_successful_one_is_not()
    {
        var repository = await Sandbox.CreateRepositoryAsync();
        var manager = Manager(keepOnFailure: true);

        var failed = await manager.CreateAsync(repository, SourceOf(repository), "main", "agent/failed");
        await File.WriteAllTextAsync(Path.Combine(failed.Path, "evidence.txt"), "what went wrong\n");
        await failed.CompleteAsync(succeeded: false);
        var disposed = await manager.CreateAsync(repository, SourceOf(repository), "main", "agent/crashed");
        await disposed.DisposeAsync();
        var succeeded = await manager.CreateAsync(repository, SourceOf(repository), "main", "agent/fine");
        await succeeded.CompleteAsync(succeeded: true);

        Assert.True(File.Exists(Path.Combine(failed.Path, "evidence.txt")));
        Assert.True(Directory.Exists(disposed.Path));
        Assert.False(Directory.Exists(succeeded.Path));
    }

    [Fact]
    public async Task The_disk_bound_evicts_the_oldest_leftover_first()
    {
        var repository = await Sandbox.CreateRepositoryAsync();
        var keeping = Manager(keepOnFailure: true);
        var oldest = await keeping.CreateAsync(repository, SourceOf(repository), "main", "agent/one");
        await oldest.CompleteAsync(succeeded: false);
        var newer = await keeping.CreateAsync(repository, SourceOf(repository), "main", "agent/two");
        await newer.CompleteAsync(succeeded: false);
        var slots = Slots();
        Assert.Equal(2, slots.Length);
        var total = slots.Sum(SizeOf);

        // Just under what the two leftovers take: removing the oldest is enough.
        var bounded = Manager(keepOnFailure: true, maxTotalBytes: total - 1);
        await using var third = await bounded.CreateAsync(repository, SourceOf(repository), "main", "agent/three");

        Assert.False(Directory.Exists(oldest.Path));
        Assert.True(Directory.Exists(newer.Path));
        Assert.True(Directory.Exists(third.Path));
    }

    [Fact]
    public async Task Workspaces_in_use_are_never_evicted_and_a_full_disk_bound_refuses_a_new_one()
    {
        var repository = await Sandbox.CreateRepositoryAsync();
        await using var busy = await Manager().CreateAsync(repository, SourceOf(repository), "main", "agent/busy");

        var error = await FailsWith(
            RepositoryErrorKind.Unavailable, () => Manager(maxTotalBytes: 1).CreateAsync(repository, SourceOf(repository), "main", "agent/more"));

        Assert.Contains("MaxTotalBytes", error.Message, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(busy.Path, "README.md")));
        Assert.Single(Slots());
    }

    private static long SizeOf(string folder) =>
        new DirectoryInfo(folder).EnumerateFiles("*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }).Sum(f => f.Length);
}
