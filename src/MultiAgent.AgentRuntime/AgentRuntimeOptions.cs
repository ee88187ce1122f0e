namespace MultiAgent.AgentRuntime;

/// <summary>Timings of the agent runtime, bound from <c>MultiAgent:Agent</c>.</summary>
public sealed class AgentRuntimeOptions
{
    public const string SectionName = "MultiAgent:Agent";

    /// <summary>How often an agent publishes its heartbeat.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Longest a single task may run before it is cancelled and counted as a (retryable) timeout.</summary>
    public TimeSpan TaskTimeout { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>On shutdown, how long in-flight tasks may still finish before they are handed back to the bus.</summary>
    public TimeSpan ShutdownGracePeriod { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>How many tasks one instance runs at once (different jobs progress side by side).</summary>
    public int MaxConcurrentTasks { get; set; } = 4;

    /// <summary>
    /// The most memory (working set) the agent may use; above it the agent takes no new task, hands its running ones
    /// back (after <see cref="ShutdownGracePeriod"/>) and exits with <see cref="Health.MemoryWatchdog.ExitCode"/>, for the
    /// AppHost to start it again. The AppHost also caps the GC heap at this size. 0: no limit. Default 1 GiB.
    /// </summary>
    public long MemoryLimitBytes { get; set; } = 1L << 30;

    /// <summary>How often the working set is compared with <see cref="MemoryLimitBytes"/>.</summary>
    public TimeSpan MemoryCheckInterval { get; set; } = TimeSpan.FromSeconds(5);
}
