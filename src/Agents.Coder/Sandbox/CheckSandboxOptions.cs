namespace Agents.Coder.Sandbox;

/// <summary>
/// Limits and extras of the check sandbox, bound from <c>MultiAgent:Coder:CheckSandbox</c> (the mode itself is
/// <see cref="CoderOptions.Sandbox"/>, <c>MultiAgent:Coder:Sandbox</c>). The defaults let <c>dotnet build</c> and
/// <c>dotnet test</c> work (a tiny project's <c>dotnet build</c> needs more than 4 GiB of address space: measured,
/// it fails with "Out of memory" at 4 GiB and builds at 6 GiB).
/// </summary>
public sealed class CheckSandboxOptions
{
    /// <summary>The user and group id the check runs as (nobody/nogroup on Debian).</summary>
    public const int SandboxUserId = 65534;

    /// <summary>Give the check the host's network (bubblewrap <c>--share-net</c>; the fallback keeps its own network namespace off). Off by default.</summary>
    public bool AllowNetwork { get; set; }

    /// <summary>CPU time each process of the check may use (RLIMIT_CPU, whole seconds). Default 20 minutes: twice the default wall time, for multi-threaded compilers.</summary>
    public TimeSpan CpuTime { get; set; } = TimeSpan.FromMinutes(20);

    /// <summary>Address space of each process (RLIMIT_AS). Default 16 GiB (.NET reserves address space generously; see the class remarks).</summary>
    public long MaxAddressSpaceBytes { get; set; } = 16L * 1024 * 1024 * 1024;

    /// <summary>Processes and threads of the sandbox's user (RLIMIT_NPROC; threads count). Default 1024.</summary>
    public int MaxProcesses { get; set; } = 1024;

    /// <summary>Largest file the check may write (RLIMIT_FSIZE). Default 1 GiB.</summary>
    public long MaxFileSizeBytes { get; set; } = 1024L * 1024 * 1024;

    /// <summary>Size of the sandbox's private <c>/tmp</c> (memory-backed; HOME and TMPDIR live there). Default 2 GiB. Bubblewrap only.</summary>
    public long TmpSizeBytes { get; set; } = 2L * 1024 * 1024 * 1024;

    /// <summary>Further folders bound read-only into the bubblewrap sandbox (a toolchain outside /usr, e.g. /opt/node). Missing ones are skipped.</summary>
    public IList<string> ReadOnlyPaths { get; } = [];

    /// <summary>PATH inside the sandbox (the agent's own PATH is not passed in: it may name folders the sandbox does not have).</summary>
    public string Path { get; set; } = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
}
