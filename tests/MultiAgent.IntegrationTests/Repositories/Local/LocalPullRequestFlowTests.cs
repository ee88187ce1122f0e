using MultiAgent.Contracts;
using MultiAgent.Repositories;
using MultiAgent.Repositories.Local;
using MultiAgent.IntegrationTests.Infrastructure;

namespace MultiAgent.IntegrationTests.Repositories.Local;

/// <summary>Workspace → commit → push → pull request → diff → review → merge, against real git and PostgreSQL.</summary>
[Collection(InfrastructureCollection.Name)]
public sealed class LocalPullRequestFlowTests(InfrastructureFixture infrastructure) : LocalHostTestBase(infrastructure)
{
    private const string Content = "line one\nline two\n";

    [Fact]
    public async Task A_workspace_branch_becomes_a_pull_request_that_merges_with_a_merge_commit()
    {
        var (repository, headSha, number) = await OpenReviewedPullRequestAsync();

        var result = await Host.MergeAsync(repository, number, headSha, MergeMethod.Merge);

        Assert.Equal(MergeMethod.Merge, result.Method);
        Assert.Equal(result.MergeCommitSha, await Sandbox.BranchShaAsync(repository, "main"));
        Assert.Equal(Content.TrimEnd(), await Sandbox.ShowAsync(repository, "main", "feature.txt"));
        var parents = (await Sandbox.RunAsync(repository.LocalPath!, "rev-list", "--parents", "-n", "1", result.MergeCommitSha)).Split(' ');
        Assert.Equal(3, parents.Length);
        Assert.Equal(headSha, parents[2]);
        Assert.Contains("Merge pull request #1 from agent/feature-1", await Sandbox.RunAsync(repository.LocalPath!, "log", "-1", "--format=%B", "main"), StringComparison.Ordinal);
        await AssertMergedAsync(repository, number, result);
    }

    [Fact]
    public async Task A_workspace_branch_becomes_a_pull_request_that_merges_as_one_squashed_commit()
    {
        var (repository, headSha, number) = await OpenReviewedPullRequestAsync();
        var mainBefore = await Sandbox.BranchShaAsync(repository, "main");

        var result = await Host.MergeAsync(repository, number, headSha, MergeMethod.Squash);

        Assert.Equal(MergeMethod.Squash, result.Method);
        Assert.Equal(result.MergeCommitSha, await Sandbox.BranchShaAsync(repository, "main"));
        Assert.Equal(Content.TrimEnd(), await Sandbox.ShowAsync(repository, "main", "feature.txt"));
        var parents = (await Sandbox.RunAsync(repository.LocalPath!, "rev-list", "--parents", "-n", "1", result.MergeCommitSha)).Split(' ');
        Assert.Equal(new[] { result.MergeCommitSha, mainBefore! }, parents);
        Assert.StartsWith("Add feature.txt, revised (#1)", await Sandbox.RunAsync(repository.LocalPath!, "log", "-1", "--format=%B", "main"), StringComparison.Ordinal);
        await AssertMergedAsync(repository, number, result);
    }

    [Fact]
    public async Task Concurrent_create_or_update_calls_for_one_head_branch_open_one_pull_request()
    {
        var repository = await Sandbox.CreateRepositoryAsync();
        await Sandbox.CommitAsync(repository.LocalPath!, "agent/a", "a.txt", "a\n", "a");
        await Sandbox.CommitAsync(repository.LocalPath!, "agent/b", "b.txt", "b\n", "b");

        var calls = Enumerable.Range(0, 6).Select(i => Task.Run(() => Host.CreateOrUpdatePullRequestAsync(repository, Spec("agent/a", $"Title {i}"))));
        var results = await Task.WhenAll(calls);
        var other = await Host.CreateOrUpdatePullRequestAsync(repository, Spec("agent/b"));

        Assert.All(results, pr => Assert.Equal(1, pr.Number));
        Assert.Equal(2, other.Number);
        await using var count = DataSource.CreateCommand("SELECT count(*) FROM local_pull_requests WHERE repository = @repository");
        count.Parameters.AddWithValue("repository", repository.Key);
        Assert.Equal(2L, await count.ExecuteScalarAsync());
    }

    [Fact]
    public async Task Comments_are_stored_and_a_closed_pull_request_can_no_longer_be_merged()
    {
        var repository = await Sandbox.CreateRepositoryAsync();
        var head = await Sandbox.CommitAsync(repository.LocalPath!, "agent/closing", "c.txt", "c\n", "c");
        var pullRequest = await Host.CreateOrUpdatePullRequestAsync(repository, Spec("agent/closing"));

        await Host.CommentAsync(repository, pullRequest.Number, "Iteration 2 of 3: addressing the review.");
        await Host.ClosePullRequestAsync(repository, pullRequest.Number);
        await Host.ClosePullRequestAsync(repository, pullRequest.Number);

        var comment = Assert.Single(await Store.ListCommentsAsync(repository.Key, pullRequest.Number));
        Assert.Equal("Iteration 2 of 3: addressing the review.", comment.Body);
        Assert.Equal(PullRequestState.Closed, (await Host.GetPullRequestAsync(repository, pullRequest.Number)).State);
        await FailsWith(RepositoryErrorKind.Validation, () => Host.MergeAsync(repository, pullRequest.Number, head, MergeMethod.Merge));
        // A new pull request for the same head gets a new number; the closed one stays closed.
        Assert.Equal(2, (await Host.CreateOrUpdatePullRequestAsync(repository, Spec("agent/closing"))).Number);
    }

    [Fact]
    public async Task A_merge_interrupted_after_its_push_is_recorded_on_retry_without_merging_again()
    {
        var repository = await Sandbox.CreateRepositoryAsync();
        var head = await PushFromWorkspaceAsync(repository, "agent/interrupted", "i.txt", "i\n");
        var pullRequest = await Host.CreateOrUpdatePullRequestAsync(repository, Spec("agent/interrupted"));

        // What an attempt that stopped between its push and its bookkeeping leaves: the merge on main, and the pending SHA.
        var scratch = Path.Combine(Sandbox.Root, "interrupted");
        await Sandbox.RunAsync(Sandbox.Root, "clone", "--quiet", "--", repository.LocalPath!, scratch);
        await Sandbox.RunAsync(scratch, "merge", "--quiet", "--squash", "origin/agent/interrupted");
        await Sandbox.RunAsync(scratch, "commit", "--quiet", "-m", "Add a file (#1)");
        await Sandbox.RunAsync(scratch, "push", "--quiet", "origin", "HEAD:refs/heads/main");
        var pushed = await Sandbox.RunAsync(scratch, "rev-parse", "HEAD");
        Assert.True(await Store.SetPendingMergeAsync(repository.Key, pullRequest.Number, pushed));

        // A squash of changes main already has would find nothing to commit: only the recovery gets this right.
        var result = await Host.MergeAsync(repository, pullRequest.Number, head, MergeMethod.Squash);

        Assert.Equal(pushed, result.MergeCommitSha);
        Assert.Equal(pushed, await Sandbox.BranchShaAsync(repository, "main"));
        var merged = await Host.GetPullRequestAsync(repository, pullRequest.Number);
        Assert.Equal((PullRequestState.Merged, pushed), (merged.State, merged.MergeCommitSha));
        Assert.Null((await Store.GetAsync(repository.Key, pullRequest.Number))!.PendingMergeSha);
    }

    [Fact]
    public async Task The_diff_gives_each_file_its_status_counts_and_patch_for_an_edit_an_addition_a_removal_a_rename_and_a_binary()
    {
        var repository = await Sandbox.CreateRepositoryAsync();
        await Sandbox.CommitAsync(repository.LocalPath!, "main", "old-name.txt", "one\ntwo\nthree\nfour\nfive\n", "A file to rename");
        await Sandbox.CommitAsync(repository.LocalPath!, "main", "gone.txt", "bye\n", "A file to remove");
        var source = await Host.GetCloneSourceAsync(repository);
        await using (var workspace = await Workspaces.CreateAsync(repository, source, "main", "agent/mixed"))
        {
            await File.WriteAllTextAsync(Path.Combine(workspace.Path, "README.md"), "# demo\n\nsecond line\nthird line\n");
            await File.WriteAllTextAsync(Path.Combine(workspace.Path, "new.txt"), "fresh\n");
            File.Delete(Path.Combine(workspace.Path, "gone.txt"));
            File.Move(Path.Combine(workspace.Path, "old-name.txt"), Path.Combine(workspace.Path, "new-name.txt"));
            await File.WriteAllBytesAsync(Path.Combine(workspace.Path, "blob.bin"), [0, 1, 2, 0, 255]);
            await workspace.CommitAllAsync("Mixed changes");
            await workspace.PushAsync();
            await workspace.CompleteAsync(succeeded: true);
        }

        await Host.CreateOrUpdatePullRequestAsync(repository, Spec("agent/mixed", "Mixed changes"));
        var files = (await Host.GetDiffAsync(repository, 1)).Files.OrderBy(f => f.Path, StringComparer.Ordinal)
            .Select(f => (f.Path, f.Status, f.Additions, f.Deletions, f.PreviousPath, HasHunks: f.Patch.StartsWith("@@", StringComparison.Ordinal)))
            .ToList();

        Assert.Equal(
            [
                ("README.md", FileChangeStatus.Modified, 2, 1, null, true),
                ("blob.bin", FileChangeStatus.Added, 0, 0, null, false),
                ("gone.txt", FileChangeStatus.Removed, 0, 1, null, true),
                ("new-name.txt", FileChangeStatus.Renamed, 0, 0, "old-name.txt", false),
                ("new.txt", FileChangeStatus.Added, 1, 0, null, true),
            ],
            files);
    }

    /// <summary>Workspace, commit, push, pull request (twice), diff and review; returns the pull request's head and number.</summary>
    private async Task<(RepositoryReference Repository, string HeadSha, int Number)> OpenReviewedPullRequestAsync()
    {
        var repository = await Sandbox.CreateRepositoryAsync();
        var info = await Host.GetRepositoryAsync(repository);
        Assert.Equal("main", info.DefaultBranch);
        Assert.Equal(repository.LocalPath, info.CloneUrl);
        Assert.Null(info.WebUrl);

        var source = await Host.GetCloneSourceAsync(repository);
        await using var workspace = await Workspaces.CreateAsync(repository, source, info.DefaultBranch, "agent/feature-1");
        Assert.Equal("agent/feature-1", workspace.Branch);
        await File.WriteAllTextAsync(Path.Combine(workspace.Path, "feature.txt"), Content);
        var headSha = await workspace.CommitAllAsync("Add feature.txt");
        Assert.NotNull(headSha);
        Assert.Equal(headSha, await workspace.HeadShaAsync());
        var changed = Assert.Single(await workspace.ChangedFilesAsync());
        Assert.Equal(("feature.txt", FileChangeStatus.Added, 2), (changed.Path, changed.Status, changed.Additions));
        await workspace.PushAsync();
        await workspace.CompleteAsync(succeeded: true);
        Assert.Equal(headSha, await Sandbox.BranchShaAsync(repository, "agent/feature-1"));

        var created = await Host.CreateOrUpdatePullRequestAsync(repository, Spec("agent/feature-1", "Add feature.txt"));
        Assert.Equal(1, created.Number);
        Assert.Equal(PullRequestState.Open, created.State);
        Assert.Equal(headSha, created.HeadSha);
        Assert.Equal("local://demo/pulls/1", created.Url);
        var again = await Host.CreateOrUpdatePullRequestAsync(repository, Spec("agent/feature-1", "Add feature.txt, revised"));
        Assert.Equal(1, again.Number);
        Assert.Equal("Add feature.txt, revised", (await Host.GetPullRequestAsync(repository, 1)).Title);

        var diff = await Host.GetDiffAsync(repository, 1);
        Assert.Equal(headSha, diff.HeadSha);
        Assert.Equal(await Sandbox.BranchShaAsync(repository, "main"), diff.BaseSha);
        var file = Assert.Single(diff.Files);
        Assert.Equal(("feature.txt", FileChangeStatus.Added, 2, 0), (file.Path, file.Status, file.Additions, file.Deletions));
        Assert.StartsWith("@@ -0,0 +1,2 @@", file.Patch, StringComparison.Ordinal);
        Assert.Contains("+line one\n+line two", file.Patch, StringComparison.Ordinal);
        Assert.Contains("+++ b/feature.txt", diff.UnifiedDiff, StringComparison.Ordinal);

        var comments = new[] { new ReviewComment("feature.txt", ReviewCommentSeverity.Suggestion, "Say more.", 2) };
        await Host.PostReviewAsync(repository, 1, new ReviewSubmission(ReviewDecision.Approve, "Looks right.", comments, headSha!));
        var review = Assert.Single(await Store.ListReviewsAsync(repository.Key, 1));
        Assert.Equal(ReviewDecision.Approve, review.Decision);
        Assert.Equal("Looks right.", review.Summary);
        Assert.Equal(headSha, review.CommitSha);
        Assert.Equal(comments, review.Comments);
        await using (var raw = DataSource.CreateCommand("SELECT decision FROM local_pull_request_reviews WHERE id = @id"))
        {
            raw.Parameters.AddWithValue("id", review.Id);
            Assert.Equal("APPROVE", await raw.ExecuteScalarAsync());
        }

        return (repository, headSha!, 1);
    }

    private async Task AssertMergedAsync(RepositoryReference repository, int number, MergeResult result)
    {
        var merged = await Host.GetPullRequestAsync(repository, number);
        Assert.Equal(PullRequestState.Merged, merged.State);
        Assert.Equal(result.MergeCommitSha, merged.MergeCommitSha);
        Assert.Empty(Directory.Exists(ScratchRoot) ? Directory.EnumerateFileSystemEntries(ScratchRoot) : []);

        // Asking again (a retried task) gives the same answer and merges nothing more.
        Assert.Equal(result, await Host.MergeAsync(repository, number, merged.HeadSha, result.Method));
        Assert.Equal(result.MergeCommitSha, await Sandbox.BranchShaAsync(repository, "main"));
    }
}
