using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MultiAgent.Repositories.Git;

namespace MultiAgent.Repositories.Workspaces;

/// <summary>
/// Creates <see cref="Workspace"/>s: a private clone per task under <see cref="WorkspaceOptions.Root"/>, checked
/// out on an agent branch. The branch continues the remote branch of the same name when there is one (a later
/// iteration builds on the earlier commits), else starts at the base branch. Keeps the workspaces' total size under
/// <see cref="WorkspaceOptions.MaxTotalBytes"/> by evicting the oldest leftovers first.
/// </summary>
public sealed partial class WorkspaceManager(GitCli git, IOptions<WorkspaceOptions> options, ILogger<WorkspaceManager>? logger = null)
{
    private readonly WorkspaceOptions _options = options.Value;
    private readonly ILogger _logger = logger ?? (ILogger)NullLogger.Instance;
    private readonly SemaphoreSlim _reserve = new(1, 1);

    /// <summary>The options in effect.</summary>
    public WorkspaceOptions Options => _options;

    /// <summary>
    /// Clones <paramref name="source"/> and checks out <paramref name="branchName"/>. ProtectedBranch when the branch
    /// does not start with <see cref="WorkspaceOptions.BranchPrefix"/> or is the base or the default branch; NotFound
    /// when neither the branch nor the base exists remotely; Unavailable when the disk bound cannot be met.
    /// </summary>
    public async Task<Workspace> CreateAsync(
        RepositoryReference repository, CloneSource source, string baseBranch, string branchName, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentNullException.ThrowIfNull(source);
        EnsureAgentBranch(branchName, _options.BranchPrefix, baseBranch, defaultBranch: null);
        GitRefs.EnsureValidBranch(branchName, "workspace");
        GitRefs.EnsureValidBranch(baseBranch, "base");

        WorkspaceSlot slot;
        await _reserve.WaitAsync(cancellationToken);
        try
        {
            slot = WorkspaceFolders.Reserve(_options.Root, _options.MaxTotalBytes, LogEvicted);
        }
        finally
        {
            _reserve.Release();
        }

        try
        {
            await git.RunAsync(slot.Folder, ["clone", "--quiet", "--no-checkout", "--", source.Url, slot.RepositoryPath], RemoteRun(source), cancellationToken);
            var path = slot.RepositoryPath;
            var defaultBranch = await RemoteDefaultBranchAsync(path, cancellationToken);
            EnsureAgentBranch(branchName, _options.BranchPrefix, baseBranch, defaultBranch);

            var start = await GitRefs.TryResolveAsync(git, path, [], "refs/remotes/origin/" + branchName, cancellationToken) is not null
                ? "refs/remotes/origin/" + branchName
                : await GitRefs.TryResolveAsync(git, path, [], "refs/remotes/origin/" + baseBranch, cancellationToken) is not null
                    ? "refs/remotes/origin/" + baseBranch
                    : throw new RepositoryHostException(RepositoryErrorKind.NotFound, $"Base branch '{baseBranch}' does not exist in '{repository}'.");
            await git.RunAsync(path, ["checkout", "--quiet", "--no-track", "-B", branchName, start], cancellationToken);
            var baseCommit = await BaseCommitAsync(path, baseBranch, branchName, cancellationToken);
            LogCreated(path, branchName, start);
            return new Workspace(git, _options, slot, repository, source, baseBranch, branchName, defaultBranch, baseCommit);
        }
        catch
        {
            slot.Release(delete: true);
            throw;
        }
    }

    /// <summary>ProtectedBranch unless <paramref name="branch"/> is an agent branch: prefixed, and neither the base nor the default branch.</summary>
    internal static void EnsureAgentBranch(string? branch, string prefix, string? baseBranch, string? defaultBranch)
    {
        if (string.IsNullOrEmpty(branch) || !branch.StartsWith(prefix, StringComparison.Ordinal) || branch.Length == prefix.Length)
        {
            throw new RepositoryHostException(
                RepositoryErrorKind.ProtectedBranch, $"'{branch}' is not an agent branch: workspace branches must start with '{prefix}'.");
        }

        if (branch == baseBranch || branch == defaultBranch)
        {
            throw new RepositoryHostException(
                RepositoryErrorKind.ProtectedBranch, $"'{branch}' is the {(branch == defaultBranch ? "default" : "base")} branch; agents never push to it.");
        }
    }

    /// <summary>Git settings for talking to the repository: its headers, which are also redacted from all output.</summary>
    internal static GitRunOptions RemoteRun(CloneSource source) => new() { HttpHeaders = source.HttpHeaders };

    /// <summary>
    /// Where the branch left the base: the merge base of the base branch and the branch (the base as it was when the
    /// job started, for a branch that continues earlier iterations), else the base branch's tip. A commit of the base
    /// branch either way, never one the agent wrote.
    /// </summary>
    private async Task<string> BaseCommitAsync(string path, string baseBranch, string branchName, CancellationToken cancellationToken)
    {
        var mergeBase = await git.RunAsync(
            path, ["merge-base", "refs/remotes/origin/" + baseBranch, "refs/heads/" + branchName], new GitRunOptions { ThrowOnFailure = false }, cancellationToken);
        return mergeBase.Succeeded && mergeBase.Output.Trim() is { Length: > 0 } sha
            ? sha
            : (await git.RunAsync(path, ["rev-parse", "--verify", "refs/remotes/origin/" + baseBranch + "^{commit}"], cancellationToken)).Output.Trim();
    }

    private async Task<string?> RemoteDefaultBranchAsync(string path, CancellationToken cancellationToken)
    {
        var head = await git.RunAsync(
            path, ["symbolic-ref", "--quiet", "--short", "refs/remotes/origin/HEAD"], new GitRunOptions { ThrowOnFailure = false }, cancellationToken);
        var name = head.Output.Trim();
        return head.Succeeded && name.StartsWith("origin/", StringComparison.Ordinal) ? name["origin/".Length..] : null;
    }

    private void LogEvicted(string folder, long bytes) => LogEviction(folder, bytes);

    [LoggerMessage(Level = LogLevel.Information, Message = "Workspace {Path} created on {Branch} from {Start}")]
    private partial void LogCreated(string path, string branch, string start);

    [LoggerMessage(Level = LogLevel.Information, Message = "Evicted leftover workspace {Folder} ({Bytes} bytes) to stay under the disk bound")]
    private partial void LogEviction(string folder, long bytes);
}
