namespace Agents.Coder.Safety;

/// <summary>A path the model asked for that lies outside the workspace (or is otherwise unusable).</summary>
public sealed class PathRefusedException(string message) : Exception(message);

/// <summary>
/// Resolves the paths the model gives to paths inside the workspace root. Refuses absolute paths, <c>..</c>, the
/// <c>.git</c> folder, and any path whose target or existing parent is a symbolic link that leads outside the root.
/// </summary>
public sealed class WorkspacePaths
{
    public WorkspacePaths(string root)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        Root = RealPath(Path.GetFullPath(root)).TrimEnd(Path.DirectorySeparatorChar);
    }

    /// <summary>The workspace root, its real path.</summary>
    public string Root { get; }

    /// <summary>The full path of <paramref name="relative"/> inside the root; <see cref="PathRefusedException"/> otherwise.</summary>
    public string Resolve(string? relative)
    {
        var path = (relative ?? "").Trim();
        if (path.Length == 0 || path == ".")
        {
            return Root;
        }

        if (path.Contains('\0', StringComparison.Ordinal))
        {
            throw new PathRefusedException($"path '{path}' is not a valid path");
        }

        if (Path.IsPathRooted(path) || path.StartsWith('~'))
        {
            throw new PathRefusedException($"path '{path}' is absolute; give a path relative to the repository root");
        }

        var segments = path.Split('/', '\\');
        if (segments.Any(s => s == ".."))
        {
            throw new PathRefusedException($"path '{path}' contains '..'; only paths inside the repository are allowed");
        }

        if (segments.Any(s => s == ".git"))
        {
            throw new PathRefusedException($"path '{path}' is inside .git, which the tools do not touch");
        }

        var full = Path.GetFullPath(Path.Combine(Root, path));
        if (!IsInside(full))
        {
            throw new PathRefusedException($"path '{path}' is outside the repository");
        }

        // Every existing part of the path must really be inside the root: a symlink anywhere along it (including the
        // target itself) could lead out.
        var current = Root;
        foreach (var segment in Path.GetRelativePath(Root, full).Split(Path.DirectorySeparatorChar))
        {
            current = Path.Combine(current, segment);
            if (!Path.Exists(current) && new FileInfo(current).LinkTarget is null)
            {
                break;
            }

            var real = RealPath(current);
            if (!IsInside(real))
            {
                throw new PathRefusedException($"path '{path}' leads outside the repository through a symbolic link");
            }
        }

        return full;
    }

    /// <summary>The repository-relative form of a full path, with '/' separators.</summary>
    public string Relative(string full) => Path.GetRelativePath(Root, full).Replace(Path.DirectorySeparatorChar, '/');

    private bool IsInside(string full) =>
        full == Root || full.StartsWith(Root + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    /// <summary>The path with every symbolic link along it followed (a dangling link resolves to its target's path).</summary>
    private static string RealPath(string path, int hops = 0)
    {
        var full = Path.GetFullPath(path);
        var root = Path.GetPathRoot(full)!;
        var current = root;
        var parts = full[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries);
        for (var i = 0; i < parts.Length; i++)
        {
            var next = Path.Combine(current, parts[i]);
            var info = new FileInfo(next);
            if (info.LinkTarget is { } target)
            {
                if (++hops > 40)
                {
                    throw new PathRefusedException("too many levels of symbolic links");
                }

                var resolved = Path.GetFullPath(Path.IsPathRooted(target) ? target : Path.Combine(current, target));
                var rest = string.Join(Path.DirectorySeparatorChar, parts.Skip(i + 1));
                return RealPath(rest.Length == 0 ? resolved : Path.Combine(resolved, rest), hops);
            }

            current = next;
        }

        return current;
    }
}
