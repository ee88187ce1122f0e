using System.Globalization;

namespace Agents.Coder.Sandbox;

/// <summary>
/// The command lines that run a check: bubblewrap's (optionally entered through setpriv as uid 65534) and the
/// fallback's (unshare, setpriv, prlimit). Each ends in <c>prlimit … -- /bin/sh -c &lt;command&gt;</c>.
/// </summary>
internal static class SandboxCommandLine
{
    /// <summary>HOME inside the bubblewrap sandbox (on its private tmpfs).</summary>
    public const string SandboxHome = "/tmp/home";

    /// <summary>Top-level entries that are symbolic links into /usr on a merged-/usr system, or folders elsewhere.</summary>
    private static readonly string[] RootEntries = ["/bin", "/sbin", "/lib", "/lib64", "/lib32", "/libx32"];

    /// <summary>The parts of /etc a toolchain needs: users and groups, name service, the loader's cache, certificates, time zone.</summary>
    private static readonly string[] EtcEntries =
    [
        "/etc/alternatives", "/etc/ssl", "/etc/ca-certificates", "/etc/passwd", "/etc/group", "/etc/nsswitch.conf",
        "/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/localtime", "/etc/hosts", "/etc/host.conf", "/etc/dotnet",
    ];

    /// <summary>Also bound when the network is allowed.</summary>
    private static readonly string[] NetworkEtcEntries = ["/etc/resolv.conf", "/etc/gai.conf"];

    /// <summary>prlimit's arguments for the limits, ending with <c>--</c>.</summary>
    public static List<string> Limits(string prlimit, CheckSandboxOptions options) =>
    [
        prlimit,
        "--cpu=" + Number(Math.Max(1, (long)Math.Ceiling(options.CpuTime.TotalSeconds))),
        "--as=" + Number(options.MaxAddressSpaceBytes),
        "--nproc=" + Number(options.MaxProcesses),
        "--fsize=" + Number(options.MaxFileSizeBytes),
        "--",
    ];

    /// <summary>setpriv's arguments that make the rest run as uid/gid 65534 without capabilities or supplementary groups.</summary>
    public static List<string> DropToNobody(string setpriv)
    {
        var id = Number(CheckSandboxOptions.SandboxUserId);
        return [setpriv, "--reuid", id, "--regid", id, "--clear-groups", "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs", "--"];
    }

    /// <summary>
    /// The bubblewrap command line: <paramref name="dropToNobody"/> when the agent is root (bubblewrap then runs as uid
    /// 65534, so the limits count the sandbox's processes and nothing it does is root's).
    /// </summary>
    public static List<string> Bubblewrap(
        SystemTools tools, CheckSandboxOptions options, string workspace, string command, bool dropToNobody, IReadOnlyList<Toolchain> toolchains)
    {
        var id = Number(CheckSandboxOptions.SandboxUserId);
        var path = string.Join(':', toolchains.Select(t => t.BinFolder).Append(options.Path));
        var args = dropToNobody ? DropToNobody(tools.Setpriv!) : [];
        args.AddRange([tools.Bubblewrap!, "--unshare-all"]);
        if (options.AllowNetwork)
        {
            args.Add("--share-net");
        }

        args.AddRange([
            "--uid", id, "--gid", id, "--die-with-parent", "--new-session",
            "--clearenv", "--setenv", "PATH", path, "--setenv", "HOME", SandboxHome, "--setenv", "LANG", "C.UTF-8", "--setenv", "TMPDIR", "/tmp",
            "--ro-bind", "/usr", "/usr",
        ]);
        foreach (var entry in RootEntries)
        {
            var info = new DirectoryInfo(entry);
            if (info.LinkTarget is { } target)
            {
                args.AddRange(["--symlink", target, entry]);
            }
            else if (info.Exists)
            {
                args.AddRange(["--ro-bind", entry, entry]);
            }
        }

        foreach (var entry in options.AllowNetwork ? EtcEntries.Concat(NetworkEtcEntries) : EtcEntries)
        {
            args.AddRange(["--ro-bind-try", entry, entry]);
        }

        foreach (var folder in toolchains.Select(t => t.Root).Concat(options.ReadOnlyPaths).Distinct(StringComparer.Ordinal))
        {
            args.AddRange(["--ro-bind-try", folder, folder]);
        }

        args.AddRange([
            "--proc", "/proc", "--dev", "/dev",
            "--size", Number(options.TmpSizeBytes), "--tmpfs", "/tmp", "--dir", SandboxHome,
            "--bind", workspace, workspace,
        ]);
        var git = Path.Combine(workspace, ".git");
        if (Path.Exists(git))
        {
            // Over the writable workspace: the check can neither plant hooks nor change the repository's configuration.
            args.AddRange(["--ro-bind", git, git]);
        }

        args.AddRange(["--chdir", workspace, "--"]);
        args.AddRange(Limits(tools.Prlimit!, options));
        args.AddRange(["/bin/sh", "-c", command]);
        return args;
    }

    /// <summary>
    /// The fallback's command line: own PID (with a fresh /proc), mount, IPC, UTS and, unless the network is allowed,
    /// network namespaces when <paramref name="unshare"/>, then uid 65534 without capabilities, then the limits.
    /// </summary>
    public static List<string> Setpriv(SystemTools tools, CheckSandboxOptions options, string command, bool unshare)
    {
        var args = new List<string>();
        if (unshare)
        {
            args.AddRange([tools.Unshare!, "--pid", "--fork", "--kill-child", "--mount-proc", "--ipc", "--uts"]);
            if (!options.AllowNetwork)
            {
                args.Add("--net");
            }

            args.Add("--");
        }

        args.AddRange(DropToNobody(tools.Setpriv!));
        args.AddRange(Limits(tools.Prlimit!, options));
        args.AddRange(["/bin/sh", "-c", command]);
        return args;
    }

    /// <summary>The fallback's probe of its namespaces: <c>unshare … -- /bin/true</c>.</summary>
    public static List<string> UnshareProbe(SystemTools tools) =>
        [tools.Unshare!, "--pid", "--fork", "--kill-child", "--mount-proc", "--ipc", "--uts", "--net", "--", "/bin/true"];

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>A toolchain installed outside /usr (bound read-only into the sandbox, its programs put on PATH).</summary>
/// <param name="Root">The folder to bind, e.g. the .NET root.</param>
/// <param name="BinFolder">The folder of its programs.</param>
internal sealed record Toolchain(string Root, string BinFolder)
{
    /// <summary>
    /// <c>dotnet</c> and <c>node</c> as the agent finds them on its PATH, when they live outside /usr (whose programs the
    /// sandbox has anyway): .NET's root is the folder of the <c>dotnet</c> executable, node's the parent of its bin folder.
    /// </summary>
    public static IReadOnlyList<Toolchain> Discover()
    {
        var found = new List<Toolchain>();
        if (Resolve("dotnet") is { } dotnet && !InsideUsr(dotnet))
        {
            var folder = Path.GetDirectoryName(dotnet)!;
            found.Add(new Toolchain(folder, folder));
        }

        if (Resolve("node") is { } node && !InsideUsr(node))
        {
            var bin = Path.GetDirectoryName(node)!;
            found.Add(new Toolchain(Path.GetDirectoryName(bin) ?? bin, bin));
        }

        return found;
    }

    private static bool InsideUsr(string path) => path.StartsWith("/usr/", StringComparison.Ordinal);

    /// <summary>The program's real path (symbolic links followed), looked up on the agent's PATH.</summary>
    private static string? Resolve(string name)
    {
        foreach (var folder in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(folder, name);
            if (File.Exists(candidate))
            {
                var target = new FileInfo(candidate).ResolveLinkTarget(returnFinalTarget: true);
                return target?.FullName ?? Path.GetFullPath(candidate);
            }
        }

        return null;
    }
}
