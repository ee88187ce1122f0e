using MultiAgent.Contracts;
using MultiAgent.Repositories;
using MultiAgent.IntegrationTests.Infrastructure;

namespace MultiAgent.IntegrationTests.Repositories.Local;

/// <summary>Nothing to commit or to merge, and references to what does not exist.</summary>
[Collection(InfrastructureCollection.Name)]
public sealed class NoChangeAndNotFoundTests(InfrastructureFixture infrastructure) : LocalHostTestBase(infrastructure)
{
    [Fact]
    public async Task A_workspace_without_changes_commits_nothing()
    {
        var repository = await Sandbox.CreateRepositoryAsync();
        await using var workspace = await Workspaces.CreateAsync(repository, await Host.GetCloneSourceAsync(repository), "main", "agent/idle");
        var start = await workspace.HeadShaAsync();

        Assert.Null(await workspace.CommitAllAsync("Nothing"));

        // A file written and removed again is no change either.
        var file = Path.Combine(workspace.Path, "scratch.txt");
        await File.WriteAllTextAsync(file, "x");
        File.Delete(file);
        Assert.Null(await workspace.CommitAllAsync("Still nothing"));
        Assert.Equal(start, await workspace.HeadShaAsync());
        Assert.Empty(await workspace.ChangedFilesAsync());
    }

    [Fact]
    public async Task A_pull_request_whose_head_equals_its_base_is_a_validation_error()
    {
        var repository = await Sandbox.CreateRepositoryAsync();
        await using (var workspace = await Workspaces.CreateAsync(repository, await Host.GetCloneSourceAsync(repository), "main", "agent/same"))
        {
            await workspace.PushAsync();
        }

        Assert.Equal(await Sandbox.BranchShaAsync(repository, "main"), await Sandbox.BranchShaAsync(repository, "agent/same"));

        var error = await FailsWith(RepositoryErrorKind.Validation, () => Host.CreateOrUpdatePullRequestAsync(repository, Spec("agent/same")));
        Assert.Contains("No changes", error.Message, StringComparison.Ordinal);
        await FailsWith(RepositoryErrorKind.Validation, () => Host.CreateOrUpdatePullRequestAsync(repository, Spec("main")));
        await FailsWith(RepositoryErrorKind.Validation, () => Host.CreateOrUpdatePullRequestAsync(repository, Spec("-x")));
        await using var count = DataSource.CreateCommand("SELECT count(*) FROM local_pull_requests WHERE repository = @repository");
        count.Parameters.AddWithValue("repository", repository.Key);
        Assert.Equal(0L, await count.ExecuteScalarAsync());
    }

    [Fact]
    public async Task An_unknown_repository_path_is_not_found()
    {
        var missing = RepositoryReference.Parse(Path.Combine(Sandbox.Root, "no-such-repo.git"));
        var notGit = Path.Combine(Sandbox.Root, "plain-folder");
        Directory.CreateDirectory(notGit);
        var plain = RepositoryReference.Parse(notGit);

        foreach (var repository in new[] { missing, plain })
        {
            var error = await FailsWith(RepositoryErrorKind.NotFound, () => Host.GetRepositoryAsync(repository));
            Assert.Contains(repository.LocalPath!, error.Message, StringComparison.Ordinal);
            await FailsWith(RepositoryErrorKind.NotFound, () => Host.GetCloneSourceAsync(repository));
            await FailsWith(RepositoryErrorKind.NotFound, () => Host.CreateOrUpdatePullRequestAsync(repository, Spec("agent/x")));
            await FailsWith(RepositoryErrorKind.NotFound, () => Host.GetPullRequestAsync(repository, 1));
        }

        var clone = await FailsWith(
            RepositoryErrorKind.NotFound,
            () => Workspaces.CreateAsync(missing, CloneSource.Anonymous(missing.LocalPath!), "main", "agent/x"));
        Assert.Contains("does not exist", clone.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_pull_request_numbers_and_branches_are_not_found()
    {
        var repository = await Sandbox.CreateRepositoryAsync();
        var head = await Sandbox.BranchShaAsync(repository, "main");

        var error = await FailsWith(RepositoryErrorKind.NotFound, () => Host.GetPullRequestAsync(repository, 42));
        Assert.Contains("#42", error.Message, StringComparison.Ordinal);
        await FailsWith(RepositoryErrorKind.NotFound, () => Host.GetDiffAsync(repository, 42));
        await FailsWith(RepositoryErrorKind.NotFound, () => Host.MergeAsync(repository, 42, head!, MergeMethod.Merge));
        await FailsWith(RepositoryErrorKind.NotFound, () => Host.PostReviewAsync(repository, 42, new ReviewSubmission(ReviewDecision.Approve, "ok", [], head!)));
        await FailsWith(RepositoryErrorKind.NotFound, () => Host.CommentAsync(repository, 42, "hello"));
        await FailsWith(RepositoryErrorKind.NotFound, () => Host.ClosePullRequestAsync(repository, 42));

        var branch = await FailsWith(RepositoryErrorKind.NotFound, () => Host.CreateOrUpdatePullRequestAsync(repository, Spec("agent/never-pushed")));
        Assert.Contains("agent/never-pushed", branch.Message, StringComparison.Ordinal);
        await FailsWith(
            RepositoryErrorKind.NotFound,
            () => Workspaces.CreateAsync(repository, CloneSource.Anonymous(repository.LocalPath!), "no-such-base", "agent/x"));
    }
}
