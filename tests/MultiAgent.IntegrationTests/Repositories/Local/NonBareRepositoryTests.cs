using MultiAgent.Repositories;
using MultiAgent.IntegrationTests.Infrastructure;

namespace MultiAgent.IntegrationTests.Repositories.Local;

/// <summary>A non-bare repository works as a host, except that git refuses the merge push into its checked-out branch.</summary>
[Collection(InfrastructureCollection.Name)]
public sealed class NonBareRepositoryTests(InfrastructureFixture infrastructure) : LocalHostTestBase(infrastructure)
{
    [Fact]
    public async Task A_non_bare_repository_serves_pull_requests_but_its_checked_out_branch_cannot_take_a_merge()
    {
        var path = Path.Combine(Sandbox.Root, "repos", "plain");
        Directory.CreateDirectory(path);
        await Sandbox.RunAsync(path, "init", "--quiet", "--initial-branch=main");
        await File.WriteAllTextAsync(Path.Combine(path, "README.md"), "# plain\n");
        await Sandbox.RunAsync(path, "add", "--all");
        await Sandbox.RunAsync(path, "commit", "--quiet", "-m", "First commit");
        var repository = RepositoryReference.Parse(path);
        var mainBefore = await Sandbox.RunAsync(path, "rev-parse", "main");

        Assert.Equal("main", (await Host.GetRepositoryAsync(repository)).DefaultBranch);
        var head = await PushFromWorkspaceAsync(repository, "agent/plain", "new.txt", "new\n");
        var pullRequest = await Host.CreateOrUpdatePullRequestAsync(repository, Spec("agent/plain"));
        Assert.Equal("local://plain/pulls/1", pullRequest.Url);
        Assert.Equal("new.txt", Assert.Single((await Host.GetDiffAsync(repository, 1)).Files).Path);

        var error = await FailsWith(RepositoryErrorKind.GitFailed, () => Host.MergeAsync(repository, 1, head, MergeMethod.Merge));

        Assert.Contains("Use a bare repository", error.Message, StringComparison.Ordinal);
        Assert.Equal(mainBefore, await Sandbox.RunAsync(path, "rev-parse", "main"));
        Assert.Equal(PullRequestState.Open, (await Host.GetPullRequestAsync(repository, 1)).State);
    }
}
