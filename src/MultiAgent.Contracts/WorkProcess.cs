using System.ComponentModel;
using System.Diagnostics;

namespace MultiAgent.Contracts;

/// <summary>How the agents run the processes that do their work: git, and the Coder's checks and commands.</summary>
public static class WorkProcess
{
    /// <summary>
    /// Runs <paramref name="process"/>, just started, below its agent (nice 10, <see cref="ProcessPriorityClass.BelowNormal"/>),
    /// before it starts processes of its own, which inherit it: on a busy machine the agent's own work (hand-offs, lease
    /// renewals, heartbeats) comes first, and a repository's build or tests that take every core cannot starve it; the
    /// work still takes the cores whenever the agent does not need them. Best effort: a process that has already
    /// exited, or a system that refuses, keeps the agent's priority.
    /// </summary>
    public static void RunBelowTheAgent(Process process)
    {
        ArgumentNullException.ThrowIfNull(process);
        try
        {
            process.PriorityClass = ProcessPriorityClass.BelowNormal;
        }
        catch (Exception ex) when (ex is Win32Exception or InvalidOperationException or PlatformNotSupportedException)
        {
            // Already exited, or not allowed here: it runs at the agent's priority.
        }
    }
}
