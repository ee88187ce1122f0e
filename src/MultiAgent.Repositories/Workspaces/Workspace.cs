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

        // A merge in progress (MergeBaseAsync) is committed even when it changes no file: the commit records the merge.
        if (staged.Succeeded && !await IsMergingAsync(cancellationToken))
        {
            return null;
        }

        var identity = new GitIdentity(_options.AuthorName, _options.AuthorEmail);
        await _git.RunAsync(Path, ["commit", "--quiet", "--no-verify", "-m", message], new GitRunOptions { Identity = identity }, cancellationToken);
        return await HeadShaAsync(cancellationToken);
    }

    /// <summary>
    /// Merges the base branch (as cloned) into <see cref="Branch"/> without committing: afterwards the working tree holds
    /// the merge, with conflict markers in the files that conflict, and <see cref="CommitAllAsync"/> commits it as a
    /// merge commit. Nothing is merged when the base is already part of the branch.
    /// </summary>
    /// <returns>The conflicting files and their hunks (<c>git diff</c> of the conflicted paths); null when the base was already merged.</returns>
    public async Task<BaseMerge?> MergeBaseAsync(int maxDiffChars, CancellationToken cancellationToken = default)
    {
        ThrowIfCompleted();
        await EnsureOnBranchAsync(cancellationToken);
        var baseRef = "refs/remotes/origin/" + BaseBranch;
        var merged = await _git.RunAsync(Path, ["merge-base", "--is-ancestor", baseRef, "HEAD"], new GitRunOptions { ThrowOnFailure = false }, cancellationToken);
        if (merged.Succeeded)
        {
            return null;
        }

        var identity = new GitIdentity(_options.AuthorName, _options.AuthorEmail);
        var merge = await _git.RunAsync(
            Path, ["merge", "--no-ff", "--no-commit", "--no-edit", baseRef], new GitRunOptions { ThrowOnFailure = false, Identity = identity }, cancellationToken);
        var conflicted = (await GitAsync(["diff", "--name-only", "--diff-filter=U", "-z"], cancellationToken)).Output
            .Split('\0', StringSplitOptions.RemoveEmptyEntries);
        if (!merge.Succeeded && conflicted.Length == 0)
        {
            throw new RepositoryHostException(RepositoryErrorKind.Validation,
                $"Merging {BaseBranch} into {Branch} failed: {(merge.Error.Length > 0 ? merge.Error : merge.Output).Trim()}");
        }

        if (conflicted.Length == 0)
        {
            return new BaseMerge([], "");
        }

        var diff = (await GitAsync(["diff", "--no-color", "--no-ext-diff", "--", .. conflicted], cancellationToken)).Output;
        return new BaseMerge(conflicted, diff.Length <= maxDiffChars ? diff : diff[..maxDiffChars] + "\n… (cut: read the files for the rest)\n");
    }

    /// <summary>The files among <paramref name="paths"/> that still hold a conflict marker line (<c>&lt;&lt;&lt;&lt;&lt;&lt;&lt; </c> or <c>&gt;&gt;&gt;&gt;&gt;&gt;&gt; </c>).</summary>
    public async Task<IReadOnlyList<string>> WithConflictMarkersAsync(IEnumerable<string> paths, CancellationToken cancellationToken = default)
    {
        ThrowIfCompleted();
        var left = new List<string>();
        foreach (var path in paths)
        {
            var full = System.IO.Path.Combine(Path, path);
            // Regular files only: a symbolic link from the repository is never followed.
            if (File.Exists(full) && new FileInfo(full).LinkTarget is null && (await File.ReadAllLinesAsync(full, cancellationToken)).Any(line =>
                    line.StartsWith("<<<<<<< ", StringComparison.Ordinal) || line.StartsWith(">>>>>>> ", StringComparison.Ordinal)))
            {
                left.Add(path);
            }
        }

        return left;
    }

    private async Task<bool> IsMergingAsync(CancellationToken cancellationToken) =>
        (await _git.RunAsync(Path, ["rev-parse", "-q", "--verify", "MERGE_HEAD"], new GitRunOptions { ThrowOnFailure = false }, cancellationToken)).Succeeded;

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

/// <summary>What merging the base branch into a workspace's branch left: the conflicting files and their hunks (none: a clean merge, ready to commit).</summary>
public sealed record BaseMerge(IReadOnlyList<string> ConflictedFiles, string Diff);
