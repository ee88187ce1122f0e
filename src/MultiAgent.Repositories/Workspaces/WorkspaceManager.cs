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

    // Where a clone keeps the repository's branches.
    private const string OriginBranches = "refs/remotes/origin/";

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
            var remote = await RemoteBranchesAsync(path, [branchName, baseBranch], cancellationToken);
            EnsureAgentBranch(branchName, _options.BranchPrefix, baseBranch, remote.DefaultBranch);

            var continues = remote.Tips.ContainsKey(branchName);
            remote.Tips.TryGetValue(baseBranch, out var baseTip);
            RepositoryHostException BaseMissing() => new(RepositoryErrorKind.NotFound, $"Base branch '{baseBranch}' does not exist in '{repository}'.");
            if (!continues && baseTip is null)
            {
                throw BaseMissing();
            }

            var start = OriginBranches + (continues ? branchName : baseBranch);
            await git.RunAsync(path, ["checkout", "--quiet", "--no-track", "-B", branchName, start], cancellationToken);
            // Where the branch left the base, a commit of the base branch either way, never one the agent wrote: a new
            // branch at the base's tip; one that continues earlier iterations where the two last met (the base as it was
            // when the job started), or the base's tip when they never met.
            var baseCommit = (continues ? await MergeBaseAsync(path, baseBranch, branchName, cancellationToken) : null)
                ?? baseTip
                ?? throw BaseMissing();
            LogCreated(path, branchName, start);
            return new Workspace(git, _options, slot, repository, source, baseBranch, branchName, remote.DefaultBranch, baseCommit);
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

    private async Task<string?> MergeBaseAsync(string path, string baseBranch, string branchName, CancellationToken cancellationToken)
    {
        var mergeBase = await git.RunAsync(
            path, ["merge-base", OriginBranches + baseBranch, "refs/heads/" + branchName], new GitRunOptions { ThrowOnFailure = false }, cancellationToken);
        return mergeBase.Succeeded && mergeBase.Output.Trim() is { Length: > 0 } sha ? sha : null;
    }

    /// <summary>
    /// The clone's view of the repository's branches, from one <c>git for-each-ref</c>: the tip commit of each of
    /// <paramref name="branches"/> that exists (a ref that names anything but a commit is left out) and the default branch
    /// (<c>origin/HEAD</c>), if any. The names are valid branch names, so no pattern character is in them; a pattern also
    /// lists the branches below it (<c>main/x</c> for <c>main</c>), which no lookup asks for.
    /// </summary>
    private async Task<RemoteBranches> RemoteBranchesAsync(string path, IEnumerable<string> branches, CancellationToken cancellationToken)
    {
        var listing = await git.RunAsync(
            path,
            ["for-each-ref", "--format=%(refname)%00%(objectname)%00%(objecttype)%00%(symref)", OriginBranches + "HEAD", .. branches.Select(b => OriginBranches + b)],
            cancellationToken);
        var tips = new Dictionary<string, string>(StringComparer.Ordinal);
        string? defaultBranch = null;
        foreach (var line in listing.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.Split('\0') is not [var name, var sha, var type, var target] || !name.StartsWith(OriginBranches, StringComparison.Ordinal))
            {
                continue;
            }

            if (name == OriginBranches + "HEAD")
            {
                defaultBranch = target.StartsWith(OriginBranches, StringComparison.Ordinal) ? target[OriginBranches.Length..] : null;
            }
            else if (type == "commit" && target.Length == 0)
            {
                tips[name[OriginBranches.Length..]] = sha;
            }
        }

        return new RemoteBranches(tips, defaultBranch);
    }

    private sealed record RemoteBranches(IReadOnlyDictionary<string, string> Tips, string? DefaultBranch);

    private void LogEvicted(string folder, long bytes) => LogEviction(folder, bytes);

    [LoggerMessage(Level = LogLevel.Information, Message = "Workspace {Path} created on {Branch} from {Start}")]
    private partial void LogCreated(string path, string branch, string start);

    [LoggerMessage(Level = LogLevel.Information, Message = "Evicted leftover workspace {Folder} ({Bytes} bytes) to stay under the disk bound")]
    private partial void LogEviction(string folder, long bytes);
}
