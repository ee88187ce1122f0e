using MultiAgent.Repositories.Git;

namespace MultiAgent.Repositories.Workspaces;

/// <summary>
/// A private clone checked out on an agent branch (created by <see cref="WorkspaceManager"/>). Commits go to
/// <see cref="Branch"/> and only that branch is ever pushed: the branch must carry the configured prefix and must
/// not be the base or the default branch, checked before every push. Complete it (or dispose it) to remove the folder.
/// </summary>
public sealed class Workspace : IAsyncDisposable
{
    private readonly GitCli _git;
    private readonly WorkspaceOptions _options;
    private readonly WorkspaceSlot _slot;
    private readonly CloneSource _source;
    private readonly string? _defaultBranch;
    private int _completed;

    internal Workspace(
        GitCli git, WorkspaceOptions options, WorkspaceSlot slot, RepositoryReference repository, CloneSource source,
        string baseBranch, string branch, string? defaultBranch, string baseCommit)
    {
        _git = git;
        _options = options;
        _slot = slot;
        _source = source;
        _defaultBranch = defaultBranch;
        Repository = repository;
        BaseBranch = baseBranch;
        Branch = branch;
        BaseCommit = baseCommit;
    }

    /// <summary>The repository this is a clone of.</summary>
    public RepositoryReference Repository { get; }

    /// <summary>The working tree.</summary>
    public string Path => _slot.RepositoryPath;

    /// <summary>The agent branch this workspace commits to and pushes.</summary>
    public string Branch { get; }

    /// <summary>The branch the work is based on (and the pull request targets).</summary>
    public string BaseBranch { get; }

    /// <summary>
    /// The commit of the base branch this workspace's branch left it at (the merge base; the base's tip for a new
    /// branch): what the job started from, which nothing in the workspace can change.
    /// </summary>
    public string BaseCommit { get; }

    /// <summary>
    /// The content of the regular file <paramref name="path"/> (relative to the repository root) in
    /// <see cref="BaseCommit"/>, read from git's objects (no text conversion, no working-tree file); null when the base
    /// has no regular file there (missing, a symbolic link, a submodule or a folder).
    /// </summary>
    public async Task<string?> ReadBaseFileAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ThrowIfCompleted();
        var listing = await GitAsync(["ls-tree", "-z", "--full-tree", BaseCommit, "--", path], cancellationToken);
        // "<mode> <type> <object>\t<path>\0"; symbolic links are mode 120000, submodules 160000, folders 040000.
        var entry = listing.Output.Split('\0', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
        var fields = entry?.Split('\t', 2)[0].Split(' ');
        if (fields is not [("100644" or "100755"), "blob", var blob] || entry!.Split('\t', 2)[1] != path)
        {
            return null;
        }

        return (await GitAsync(["cat-file", "blob", blob], cancellationToken)).Output;
    }

    /// <summary>
    /// Stages everything in the working tree and commits it to <see cref="Branch"/> as the configured author.
    /// Returns the new commit's SHA, or null when there was nothing to commit.
    /// </summary>
    public async Task<string?> CommitAllAsync(string message, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(message);
        ThrowIfCompleted();
        await EnsureOnBranchAsync(cancellationToken);
        await GitAsync(["add", "--all"], cancellationToken);
        var staged = await _git.RunAsync(Path, ["diff", "--cached", "--quiet"], new GitRunOptions { ThrowOnFailure = false }, cancellationToken);
        if (staged.Succeeded)
        {
            return null;
        }

        var identity = new GitIdentity(_options.AuthorName, _options.AuthorEmail);
        await _git.RunAsync(Path, ["commit", "--quiet", "--no-verify", "-m", message], new GitRunOptions { Identity = identity }, cancellationToken);
        return await HeadShaAsync(cancellationToken);
    }

    /// <summary>
    /// Pushes <see cref="Branch"/> (and nothing else, never forced) to the repository. ProtectedBranch when the branch
    /// lacks the prefix, is the base or the default branch, or the checkout was switched to another branch.
    /// </summary>
    public async Task PushAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfCompleted();
        WorkspaceManager.EnsureAgentBranch(Branch, _options.BranchPrefix, BaseBranch, _defaultBranch);
        await EnsureOnBranchAsync(cancellationToken);
        var refspec = $"refs/heads/{Branch}:refs/heads/{Branch}";
        await _git.RunAsync(Path, ["push", "--quiet", "origin", refspec], WorkspaceManager.RemoteRun(_source), cancellationToken);
    }

    /// <summary>The commit at the tip of <see cref="Branch"/>.</summary>
    public async Task<string> HeadShaAsync(CancellationToken cancellationToken = default) =>
        (await GitAsync(["rev-parse", "--verify", "refs/heads/" + Branch + "^{commit}"], cancellationToken)).Output.Trim();

    /// <summary>
    /// The full message of the commit at the tip of <see cref="Branch"/> when that commit is not on the base branch
    /// (the branch has work of its own); null for a branch that is still where it left the base.
    /// </summary>
    public async Task<string?> OwnHeadMessageAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfCompleted();
        var onBase = await _git.RunAsync(
            Path, ["merge-base", "--is-ancestor", "refs/heads/" + Branch, BaseCommit], new GitRunOptions { ThrowOnFailure = false }, cancellationToken);
        return onBase.Succeeded ? null : (await GitAsync(["log", "-1", "--format=%B", "refs/heads/" + Branch], cancellationToken)).Output;
    }

    /// <summary>The committed changes of <see cref="Branch"/> since it left the base branch (as cloned).</summary>
    public async Task<IReadOnlyList<ChangedFile>> ChangedFilesAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfCompleted();
        var (_, files) = await GitDiffReader.ReadAsync(
            _git, Path, [], "refs/remotes/origin/" + BaseBranch, "refs/heads/" + Branch, cancellationToken);
        return files;
    }

    /// <summary>
    /// Ends the workspace: its folder is removed, unless it failed and <see cref="WorkspaceOptions.KeepOnFailure"/>
    /// is set (it is then a leftover, evicted when space is needed). Only the first call counts.
    /// </summary>
    public ValueTask CompleteAsync(bool succeeded)
    {
        if (Interlocked.Exchange(ref _completed, 1) == 0)
        {
            _slot.Release(delete: succeeded || !_options.KeepOnFailure);
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Completes the workspace as failed unless it was completed already.</summary>
    public ValueTask DisposeAsync() => CompleteAsync(succeeded: false);

    private async Task EnsureOnBranchAsync(CancellationToken cancellationToken)
    {
        var head = await _git.RunAsync(Path, ["symbolic-ref", "--quiet", "--short", "HEAD"], new GitRunOptions { ThrowOnFailure = false }, cancellationToken);
        if (!head.Succeeded || head.Output.Trim() != Branch)
        {
            throw new RepositoryHostException(
                RepositoryErrorKind.ProtectedBranch,
                $"The workspace at '{Path}' is checked out on '{head.Output.Trim()}', not on its branch '{Branch}'; refusing to commit or push.");
        }
    }

    private Task<GitResult> GitAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken) =>
        _git.RunAsync(Path, arguments, cancellationToken);

    private void ThrowIfCompleted() =>
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _completed) == 1, this);
}
