using MultiAgent.Repositories;
using MultiAgent.Repositories.Git;

namespace MultiAgent.IntegrationTests.Repositories.Local;

/// <summary>
/// A temp folder of a test's own with real git repositories in it: bare repositories seeded with a first commit, and
/// scratch clones to change them as a person would. Deleted on dispose. By default it lies under <see cref="Parent"/>,
/// the folder the test topology allows local repositories from (<c>MultiAgent:LocalGit:AllowedRoots</c>).
/// </summary>
public sealed class GitSandbox : IDisposable
{
    public static readonly GitIdentity Person = new("Test Person", "person@example.test");

    /// <param name="parent">The folder to make the sandbox in; <see cref="Parent"/> when null.</param>
    public GitSandbox(string? parent = null)
    {
        Root = Path.Combine(parent ?? Parent, "git-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
    }

    /// <summary>Where sandboxes are made by default: the test topology's allowed local repository root.</summary>
    public static string Parent { get; } = Path.Combine(Path.GetTempPath(), "multiagent-tests", "repos");

    public string Root { get; }

    public GitCli Git { get; } = new();

    /// <summary>A bare repository <c>name.git</c> whose <paramref name="defaultBranch"/> holds one commit with README.md.</summary>
    public async Task<RepositoryReference> CreateRepositoryAsync(string name = "demo", string defaultBranch = "main")
    {
        var path = Path.Combine(Root, "repos", name + ".git");
        Directory.CreateDirectory(path);
        await RunAsync(path, "init", "--quiet", "--bare", "--initial-branch=" + defaultBranch);
        await CommitAsync(path, defaultBranch, "README.md", "# demo\n\nfirst line\n", "First commit", fromBranch: null);
        return RepositoryReference.Parse(path);
    }

    /// <summary>
    /// Writes <paramref name="file"/> on <paramref name="branch"/> (created from <paramref name="fromBranch"/> when it does
    /// not exist yet) in a scratch clone, commits and pushes it; returns the new commit.
    /// </summary>
    public async Task<string> CommitAsync(string repository, string branch, string file, string content, string message, string? fromBranch = "main")
    {
        var scratch = Path.Combine(Root, "scratch-" + Guid.NewGuid().ToString("N"));
        await RunAsync(Root, "clone", "--quiet", "--", repository, scratch);
        var exists = await Git.RunAsync(scratch, ["rev-parse", "--verify", "--quiet", "refs/remotes/origin/" + branch], new GitRunOptions { ThrowOnFailure = false });
        if (exists.Succeeded)
        {
            await RunAsync(scratch, "checkout", "--quiet", "-B", branch, "origin/" + branch);
        }
        else if (fromBranch is not null)
        {
            await RunAsync(scratch, "checkout", "--quiet", "-B", branch, "origin/" + fromBranch);
        }
        else
        {
            await RunAsync(scratch, "checkout", "--quiet", "--orphan", branch);
        }

        var target = Path.Combine(scratch, file);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        await File.WriteAllTextAsync(target, content);
        await RunAsync(scratch, "add", "--all");
        await RunAsync(scratch, "commit", "--quiet", "-m", message);
        await RunAsync(scratch, "push", "--quiet", "origin", $"HEAD:refs/heads/{branch}");
        var sha = await RunAsync(scratch, "rev-parse", "HEAD");
        Directory.Delete(scratch, recursive: true);
        return sha;
    }

    /// <summary>Tip of <paramref name="branch"/> in the bare repository, or null.</summary>
    public async Task<string?> BranchShaAsync(RepositoryReference repository, string branch)
    {
        var result = await Git.RunAsync(
            repository.LocalPath!, ["rev-parse", "--verify", "--quiet", "refs/heads/" + branch], new GitRunOptions { ThrowOnFailure = false });
        return result.Succeeded ? result.Output.Trim() : null;
    }

    /// <summary><c>git show &lt;revision&gt;:&lt;path&gt;</c> in the bare repository.</summary>
    public Task<string> ShowAsync(RepositoryReference repository, string revision, string path) =>
        RunAsync(repository.LocalPath!, "show", $"{revision}:{path}");

    /// <summary>Runs git as <see cref="Person"/>; the trimmed output.</summary>
    public async Task<string> RunAsync(string directory, params string[] arguments) =>
        (await Git.RunAsync(directory, arguments, new GitRunOptions { Identity = Person })).Output.Trim();

    public void Dispose()
    {
        try
        {
            if (Directory.Exists(Root))
            {
                Directory.Delete(Root, recursive: true);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Left under the temp folder.
        }
    }
}
