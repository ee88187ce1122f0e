namespace MultiAgent.Repositories.Internal;

/// <summary>Creating private folders and deleting clones (whose object files git makes read-only).</summary>
internal static class Folders
{
    /// <summary>Creates <paramref name="path"/> (and its parents); on Unix readable by this user only.</summary>
    public static void CreatePrivate(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
        }
        else
        {
            Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    /// <summary>
    /// Creates <paramref name="path"/> (and its parents); on Unix only this user may list or change it, others may only
    /// pass through it to a sub-folder whose name they know (mode 0711). A folder this code made private earlier
    /// (exactly 0700) is opened the same way.
    /// </summary>
    public static void CreateTraversable(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
            return;
        }

        const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        const UnixFileMode Traversable = Private | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        var info = Directory.CreateDirectory(path, Traversable);
        if (info.UnixFileMode == Private)
        {
            info.UnixFileMode = Traversable;
        }
    }

    /// <summary>Deletes the folder and everything in it; true when it is gone afterwards.</summary>
    public static bool TryDelete(string path)
    {
        for (var attempt = 0; attempt < 2; attempt++)
        {
            try
            {
                if (Directory.Exists(path))
                {
                    Directory.Delete(path, recursive: true);
                }

                return true;
            }
            catch (UnauthorizedAccessException) when (attempt == 0)
            {
                ClearReadOnly(path);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return !Directory.Exists(path);
            }
        }

        return !Directory.Exists(path);
    }

    /// <summary>Total size of the files under <paramref name="path"/>; unreadable entries count as zero.</summary>
    public static long SizeOf(string path)
    {
        try
        {
            var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = 0 };
            return new DirectoryInfo(path).EnumerateFiles("*", options).Sum(file =>
            {
                try
                {
                    return file.Length;
                }
                catch (IOException)
                {
                    return 0L;
                }
            });
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
    }

    private static void ClearReadOnly(string path)
    {
        var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = 0 };
        foreach (var file in new DirectoryInfo(path).EnumerateFiles("*", options))
        {
            file.Attributes &= ~FileAttributes.ReadOnly;
        }
    }
}
