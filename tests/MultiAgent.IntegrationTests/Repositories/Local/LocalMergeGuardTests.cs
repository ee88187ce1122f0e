using MultiAgent.Repositories;
using MultiAgent.IntegrationTests.Infrastructure;

namespace MultiAgent.IntegrationTests.Repositories.Local;

/// <summary>Merges that must not happen: conflicting changes, and a head that moved after review.</summary>
[Collection(InfrastructureCollection.Name)]
public sealed class LocalMergeGuardTests(InfrastructureFixture infrastructure) : LocalHostTestBase(infrastructure)
{
    [Theory]
    [InlineData(MergeMethod.Merge)]
    [InlineData(MergeMethod.Squash)]
    public async Task A_conflicting_pull_request_is_reported_and_nothing_is_merged(MergeMethod method)
    {
        var repository = await Sandbox.CreateRepositoryAsync();
        var first = await PushFromWorkspaceAsync(repository, "agent/first", "README.md", "# demo\n\nfirst branch's line\n");
        var second = await PushFromWorkspaceAsync(repository, "agent/second", "README.md", "# demo\n\nsecond branch's line\n");
        var one = await Host.CreateOrUpdatePullRequestAsync(repository, Spec("agent/first"));
        var two = await Host.CreateOrUpdatePullRequestAsync(repository, Spec("agent/second"));
        var merged = await Host.MergeAsync(repository, one.Number, first, method);

        var error = await FailsWith(RepositoryErrorKind.MergeConflict, () => Host.MergeAsync(repository, two.Number, second, method));

        Assert.Contains("README.md", error.Message, StringComparison.Ordinal);
        Assert.False(error.IsRetryable);
        Assert.Equal(merged.MergeCommitSha, await Sandbox.BranchShaAsync(repository, "main"));
        Assert.Equal("# demo\n\nfirst branch's line", await Sandbox.ShowAsync(repository, "main", "README.md"));
        var still = await Host.GetPullRequestAsync(repository, two.Number);
        Assert.Equal(PullRequestState.Open, still.State);
        Assert.Null(still.MergeCommitSha);
        Assert.Empty(Directory.EnumerateFileSystemEntries(ScratchRoot));
    }

    [Fact]
    public async Task A_head_that_moved_after_review_is_not_merged()
    {
        var repository = await Sandbox.CreateRepositoryAsync();
        await PushFromWorkspaceAsync(repository, "agent/moving", "a.txt", "one\n");
        var pullRequest = await Host.CreateOrUpdatePullRequestAsync(repository, Spec("agent/moving"));
        var reviewed = (await Host.GetPullRequestAsync(repository, pullRequest.Number)).HeadSha;
        var mainBefore = await Sandbox.BranchShaAsync(repository, "main");
        var moved = await PushFromWorkspaceAsync(repository, "agent/moving", "b.txt", "two\n");

        var error = await FailsWith(RepositoryErrorKind.HeadChanged, () => Host.MergeAsync(repository, pullRequest.Number, reviewed, MergeMethod.Merge));

        Assert.Contains(moved, error.Message, StringComparison.Ordinal);
        Assert.Equal(mainBefore, await Sandbox.BranchShaAsync(repository, "main"));
        var current = await Host.GetPullRequestAsync(repository, pullRequest.Number);
        Assert.Equal(PullRequestState.Open, current.State);
        Assert.Equal(moved, current.HeadSha);

        // Reviewed again at the new head, it merges.
        var result = await Host.MergeAsync(repository, pullRequest.Number, moved, MergeMethod.Merge);
        Assert.Equal(result.MergeCommitSha, await Sandbox.BranchShaAsync(repository, "main"));
    }
}
