using MultiAgent.Repositories.Internal;

namespace MultiAgent.Repositories.Workspaces;

/// <summary>
/// One workspace's place under the root: the folder <c>ws-&lt;ticks&gt;-&lt;guid&gt;</c> holding the clone in <c>repo</c>,
/// and the sibling lock file <c>ws-….lock</c>, held open exclusively while the workspace is in use (so that no other
/// manager, in this process or another, evicts it).
/// </summary>
internal sealed class WorkspaceSlot(string folder, FileStream lockFile)
{
    private int _released;

    public string Folder { get; } = folder;

    public string RepositoryPath => Path.Combine(Folder, "repo");

    /// <summary>Lets go of the slot; deletes its folder when <paramref name="delete"/>. Only the first call counts.</summary>
    public void Release(bool delete)
    {
        if (Interlocked.Exchange(ref _released, 1) == 1)
        {
            return;
        }

        if (delete)
        {
            Folders.TryDelete(Folder);
        }

        WorkspaceFolders.Unlock(lockFile, deleteFile: delete);
    }
}
