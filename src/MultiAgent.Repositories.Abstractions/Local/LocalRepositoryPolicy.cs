namespace MultiAgent.Repositories.Local;

/// <summary>
/// Which local repositories the system may touch: only those whose real path (every symbolic link along it followed,
/// <c>..</c> applied where it stands, as the kernel does) lies inside one of the allowed roots (real paths as well),
/// compared on whole path components, so <c>/srv/repos-evil</c> is not inside <c>/srv/repos</c>. A root may also name one
/// repository itself. No roots: no local repository is allowed.
/// </summary>
/// <remarks>
/// The one place the rule lives: the local-git host applies it to every operation (<see cref="EnsureAllowed"/>), the CLI
/// to a submission when its config file names the roots (<see cref="Check"/>).
/// </remarks>
public sealed class LocalRepositoryPolicy
{
    /// <summary>The configuration section of local repositories (the local-git host's <c>LocalGitHostOptions</c>).</summary>
    public const string SectionName = "MultiAgent:LocalGit";

    /// <summary>The setting that lists the roots (bound into <c>LocalGitHostOptions.AllowedRoots</c>).</summary>
    public const string SettingName = SectionName + ":AllowedRoots";

    /// <summary>Symbolic links followed for one path before giving up (Linux's own limit).</summary>
    private const int MaxLinkHops = 40;

    private static readonly char[] Separators = [Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar];

    private static readonly StringComparison PathComparison =
        OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;

    /// <param name="roots">Folders (absolute; a relative one is taken from the current folder); blank entries are ignored.</param>
    public LocalRepositoryPolicy(IEnumerable<string> roots)
    {
        ArgumentNullException.ThrowIfNull(roots);
        Roots = [.. roots.Where(root => !string.IsNullOrWhiteSpace(root)).Select(root => Path.TrimEndingDirectorySeparator(Path.GetFullPath(root.Trim())))];
    }

    /// <summary>The allowed roots as configured (full paths).</summary>
    public IReadOnlyList<string> Roots { get; }

    /// <summary>The roots as a message shows them.</summary>
    public string Describe() => Roots.Count == 0 ? "none" : string.Join(", ", Roots);

    /// <summary>Where <paramref name="path"/> really leads and whether that is inside a root. Touches nothing but metadata.</summary>
    public LocalPathCheck Check(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var (real, exists) = RealPath(path);
        var inside = Roots.Any(root => IsInside(real, RealPath(root).Path));
        return new LocalPathCheck(path, real, exists, inside);
    }

    /// <summary>
    /// The real path of an allowed repository folder. <see cref="RepositoryErrorKind.NotAllowed"/> when the path leads
    /// outside every root (whether or not it exists, so nothing is learnt about folders outside the roots);
    /// <see cref="RepositoryErrorKind.NotFound"/> when it is inside a root but does not exist.
    /// </summary>
    public string EnsureAllowed(string path)
    {
        var check = Check(path);
        if (!check.InsideRoot)
        {
            throw new RepositoryHostException(RepositoryErrorKind.NotAllowed, Refusal(check));
        }

        return check.Exists
            ? check.RealPath
            : throw new RepositoryHostException(RepositoryErrorKind.NotFound, $"There is no repository at '{path}': the folder does not exist.");
    }

    /// <summary>
    /// <c>/etc/x.git is not under an allowed local repository root (MultiAgent:LocalGit:AllowedRoots: /var/lib/multiagent/repos)</c>,
    /// naming the real path when a link led elsewhere.
    /// </summary>
    public string Refusal(LocalPathCheck check)
    {
        ArgumentNullException.ThrowIfNull(check);
        var shown = Path.TrimEndingDirectorySeparator(check.Path.Trim());
        var what = string.Equals(shown, check.RealPath, PathComparison) ? shown : $"{shown} (which leads to {check.RealPath})";
        return Roots.Count == 0
            ? $"{what} is not under an allowed local repository root ({SettingName} is empty: no local repository is allowed)"
            : $"{what} is not under an allowed local repository root ({SettingName}: {Describe()})";
    }

    /// <summary>
    /// The path with every symbolic link along it followed, like <c>realpath</c>: a <c>..</c> goes up from where the links
    /// before it led, not from the text before it. When a part does not exist (or cannot be looked at), the rest is
    /// appended as written (with <c>..</c> applied to the text) and <c>Exists</c> is false.
    /// </summary>
    public static (string Path, bool Exists) RealPath(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var absolute = Path.IsPathRooted(path) ? path : Path.Join(Directory.GetCurrentDirectory(), path);
        var current = Path.GetPathRoot(absolute)!;
        var pending = new Stack<string>();
        Push(pending, absolute[current.Length..]);
        var hops = 0;
        while (pending.TryPop(out var part))
        {
            if (part == ".")
            {
                continue;
            }

            if (part == "..")
            {
                current = Path.GetDirectoryName(current) ?? current;
                continue;
            }

            var next = Path.Join(current, part);
            string? target;
            try
            {
                target = new FileInfo(next).LinkTarget;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return (AsWritten(next, pending), false);
            }

            if (target is not null)
            {
                if (++hops > MaxLinkHops)
                {
                    return (AsWritten(next, pending), false);
                }

                // The link's target takes its place; a relative target starts from the link's folder.
                if (Path.IsPathRooted(target))
                {
                    current = Path.GetPathRoot(target)!;
                    target = target[current.Length..];
                }

                Push(pending, target);
                continue;
            }

            if (!Path.Exists(next))
            {
                return (AsWritten(next, pending), false);
            }

            current = next;
        }

        return (current, true);
    }

    /// <summary>Whether <paramref name="path"/> is <paramref name="root"/> or below it, on whole components.</summary>
    public static bool IsInside(string path, string root)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(root);
        path = Path.TrimEndingDirectorySeparator(path);
        root = Path.TrimEndingDirectorySeparator(root);
        if (string.Equals(path, root, PathComparison))
        {
            return true;
        }

        var prefix = Path.EndsInDirectorySeparator(root) ? root : root + Path.DirectorySeparatorChar;
        return path.StartsWith(prefix, PathComparison);
    }

    private static void Push(Stack<string> pending, string relative)
    {
        var parts = relative.Split(Separators, StringSplitOptions.RemoveEmptyEntries);
        for (var i = parts.Length - 1; i >= 0; i--)
        {
            pending.Push(parts[i]);
        }
    }

    /// <summary><paramref name="start"/> with the parts not looked at yet, as written.</summary>
    private static string AsWritten(string start, Stack<string> pending) =>
        Path.TrimEndingDirectorySeparator(Path.GetFullPath(pending.Aggregate(start, (path, part) => Path.Join(path, part))));
}

/// <summary>What <see cref="LocalRepositoryPolicy.Check"/> found.</summary>
/// <param name="Path">The path as given.</param>
/// <param name="RealPath">Where it really leads (as far as it exists; the rest as written).</param>
/// <param name="Exists">Whether the whole path exists.</param>
/// <param name="InsideRoot">Whether <paramref name="RealPath"/> is inside one of the allowed roots.</param>
public sealed record LocalPathCheck(string Path, string RealPath, bool Exists, bool InsideRoot)
{
    /// <summary>Inside a root and there.</summary>
    public bool IsAllowed => Exists && InsideRoot;
}
