namespace Agents.Coder.Sandbox;

/// <summary>How the repository's check is isolated (<c>MultiAgent:Coder:Sandbox</c>).</summary>
public enum SandboxMode
{
    /// <summary>Bubblewrap where it works, else the setpriv fallback (root only), else checks are refused.</summary>
    Auto,

    /// <summary>Bubblewrap only: checks are refused when it cannot run.</summary>
    Bubblewrap,

    /// <summary>The weaker fallback only (setpriv to uid 65534, resource limits, own PID and network namespaces): needs root.</summary>
    Setpriv,

    /// <summary>No isolation: the check runs as the agent's user with only a cleared environment and a time limit. Never chosen by itself.</summary>
    None,
}

/// <summary>The isolation actually in force.</summary>
public enum IsolationKind
{
    /// <summary>Bubblewrap: own namespaces, only system folders and the workspace visible, uid 65534, resource limits.</summary>
    Bubblewrap,

    /// <summary>The fallback: uid 65534, resource limits, own PID/mount/network/IPC/UTS namespaces when <c>unshare</c> works; the whole file system stays visible.</summary>
    Setpriv,

    /// <summary>No isolation, because <see cref="SandboxMode.None"/> was set.</summary>
    None,

    /// <summary>No isolation could be had and none was not set: checks are refused.</summary>
    Refused,
}

/// <summary>Which isolation is in force, and in words why (for the start-up log, /health and refused checks).</summary>
public sealed record SandboxIsolation(IsolationKind Kind, string Description)
{
    /// <summary>True when checks run at all (sandboxed or, on purpose, not).</summary>
    public bool RunsChecks => Kind != IsolationKind.Refused;
}
