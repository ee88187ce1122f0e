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
}
