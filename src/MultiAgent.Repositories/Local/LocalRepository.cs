using MultiAgent.Repositories.Git;

namespace MultiAgent.Repositories.Local;

/// <summary>
/// A repository on this machine's disk, bare (<c>demo.git</c>) or not (<c>demo/.git</c>). Git commands address it
/// with an explicit <c>--git-dir</c>, so git never wanders into an enclosing repository.
/// </summary>
/// <param name="Path">
/// The real path of the folder the reference names (symbolic links followed, as <see cref="LocalRepositoryPolicy"/>
/// checked it; what <c>git clone</c> takes), so git works on exactly the folder that was allowed.
/// </param>
/// <param name="GitDirectory">Its git directory.</param>
internal sealed record LocalRepository(RepositoryReference Reference, string Path, string GitDirectory)
{
    /// <summary><c>--git-dir=…</c>, to put before a git command.</summary>
    public IReadOnlyList<string> GitDirArguments => ["--git-dir=" + GitDirectory];

    /// <summary>
    /// Finds the repository; InvalidReference for a non-local reference, NotAllowed when its real path is outside the
    /// policy's roots, NotFound when there is no repository at the path.
    /// </summary>
    public static async Task<LocalRepository> OpenAsync(
        GitCli git, LocalRepositoryPolicy policy, RepositoryReference reference, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(reference);
        if (reference.Kind != RepositoryHostKind.Local || string.IsNullOrEmpty(reference.LocalPath))
        {
            throw new RepositoryHostException(
                RepositoryErrorKind.InvalidReference, $"'{reference}' is not a local repository; the local-git host serves paths only.");
        }

        var path = policy.EnsureAllowed(reference.LocalPath);
        if (!Directory.Exists(path))
        {
            throw new RepositoryHostException(
                RepositoryErrorKind.NotFound, $"There is no repository at '{reference.LocalPath}': the folder does not exist.");
        }

        var dotGit = System.IO.Path.Combine(path, ".git");
        var gitDirectory = Directory.Exists(dotGit) || File.Exists(dotGit) ? dotGit : path;
        // Every operation of the local host opens its repository, so the usual case costs no git process: a folder with
        // what git itself looks for in a git directory (HEAD, objects/, refs/). Anything else (a .git file pointing
        // elsewhere, a folder with only some of them) is left to git to judge.
        if (!LooksLikeGitDirectory(gitDirectory))
        {
            var probe = await git.RunAsync(
                path, ["--git-dir=" + gitDirectory, "rev-parse", "--git-dir"], new GitRunOptions { ThrowOnFailure = false }, cancellationToken);
            if (!probe.Succeeded)
            {
                throw new RepositoryHostException(
                    RepositoryErrorKind.NotFound, $"There is no repository at '{reference.LocalPath}': it is not a git repository.");
            }
        }

        return new LocalRepository(reference, path, gitDirectory);
    }

    private static bool LooksLikeGitDirectory(string directory) =>
        File.Exists(System.IO.Path.Combine(directory, "HEAD"))
        && Directory.Exists(System.IO.Path.Combine(directory, "objects"))
        && Directory.Exists(System.IO.Path.Combine(directory, "refs"));

    /// <summary>The branch <c>HEAD</c> points at (the default branch).</summary>
    public async Task<string> DefaultBranchAsync(GitCli git, CancellationToken cancellationToken)
    {
        var head = await git.RunAsync(
            Path, [.. GitDirArguments, "symbolic-ref", "--quiet", "--short", "HEAD"], new GitRunOptions { ThrowOnFailure = false }, cancellationToken);
        return head.Succeeded && head.Output.Trim() is { Length: > 0 } branch
            ? branch
            : throw new RepositoryHostException(RepositoryErrorKind.GitFailed, $"The HEAD of '{Path}' does not name a branch.");
    }

    /// <summary>The commit at the tip of <paramref name="branch"/>, or null when there is no such branch.</summary>
    public Task<string?> TryBranchShaAsync(GitCli git, string branch, CancellationToken cancellationToken) =>
        GitRefs.TryResolveAsync(git, Path, GitDirArguments, "refs/heads/" + branch, cancellationToken);

    /// <summary>The commit at the tip of <paramref name="branch"/>; NotFound when there is no such branch.</summary>
    public async Task<string> BranchShaAsync(GitCli git, string branch, CancellationToken cancellationToken) =>
        await TryBranchShaAsync(git, branch, cancellationToken)
        ?? throw new RepositoryHostException(RepositoryErrorKind.NotFound, $"Branch '{branch}' does not exist in '{Path}'.");
}
