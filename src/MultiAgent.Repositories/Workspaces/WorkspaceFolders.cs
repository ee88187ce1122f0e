using System.Globalization;
using System.Text.RegularExpressions;
using MultiAgent.Repositories.Internal;

namespace MultiAgent.Repositories.Workspaces;

/// <summary>
/// The workspace folders under the root: reserving a new one, and evicting the oldest leftovers (folders nobody
/// holds the lock of) to keep the total size under the bound. Only folders named like workspaces are ever touched.
/// </summary>
internal static partial class WorkspaceFolders
{
    /// <summary>Reserves a new slot after making room; refuses (Unavailable) when the workspaces in use alone fill the bound.</summary>
    public static WorkspaceSlot Reserve(string root, long maxTotalBytes, Action<string, long> evicted)
    {
        // Traversable but not listable: the check sandbox's user (uid 65534) must reach its workspace, whose folder name
        // (a GUID) it cannot learn otherwise; no other user can list the workspaces or find another job's.
        Folders.CreateTraversable(root);
        MakeRoom(root, maxTotalBytes, evicted);

        var name = string.Create(CultureInfo.InvariantCulture, $"ws-{DateTime.UtcNow.Ticks:D19}-{Guid.NewGuid():N}");
        var folder = Path.Combine(root, name);
        var lockFile = TryLock(folder + ".lock")
            ?? throw new IOException($"The lock file of the new workspace {folder} is held by someone else.");
        try
        {
            Folders.CreateTraversable(folder);
            return new WorkspaceSlot(folder, lockFile);
        }
        catch
        {
            Unlock(lockFile, deleteFile: true);
            throw;
        }
    }

    /// <summary>Closes the lock file (deleting it first when <paramref name="deleteFile"/>).</summary>
    public static void Unlock(FileStream lockFile, bool deleteFile)
    {
        try
        {
            if (deleteFile)
            {
                File.Delete(lockFile.Name);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // An empty lock file left behind is harmless; the next eviction reuses it.
        }
        finally
        {
            lockFile.Dispose();
        }
    }

    private static void MakeRoom(string root, long maxTotalBytes, Action<string, long> evicted)
    {
        var slots = new DirectoryInfo(root).EnumerateDirectories("ws-*")
            .Where(d => SlotName().IsMatch(d.Name))
            .OrderBy(d => d.Name, StringComparer.Ordinal)
            .Select(d => (d.FullName, Size: Folders.SizeOf(d.FullName)))
            .ToList();
        var total = slots.Sum(s => s.Size);
        foreach (var (folder, size) in slots)
        {
            if (total < maxTotalBytes)
            {
                return;
            }

            // A slot whose lock cannot be taken is in use.
            if (TryLock(folder + ".lock") is not { } lockFile)
            {
                continue;
            }

            var deleted = Folders.TryDelete(folder);
            Unlock(lockFile, deleteFile: deleted);
            if (deleted)
            {
                total -= size;
                evicted(folder, size);
            }
        }

        if (total >= maxTotalBytes)
        {
            throw new RepositoryHostException(
                RepositoryErrorKind.Unavailable,
                $"No room for another workspace: the workspaces under '{root}' take {total} bytes and MaxTotalBytes is {maxTotalBytes}; " +
                "every one left is in use (or could not be removed). Try again when one completes, or raise MultiAgent:Workspaces:MaxTotalBytes.");
        }
    }

    /// <summary>The lock file opened exclusively (an advisory lock on Unix), or null when someone holds it.</summary>
    private static FileStream? TryLock(string path)
    {
        try
        {
            return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            return null;
        }
    }

    [GeneratedRegex(@"^ws-\d{19}-[0-9a-f]{32}$", RegexOptions.CultureInvariant)]
    private static partial Regex SlotName();
}
