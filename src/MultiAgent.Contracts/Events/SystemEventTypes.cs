namespace MultiAgent.Contracts;

/// <summary>Values of <see cref="SystemEvent.Type"/>, and the subject of a system event.</summary>
public static class SystemEventTypes
{
    /// <summary>
    /// The AppHost is starting a part again that exited without being asked to
    /// (data: exitCode, uptimeSeconds, delaySeconds, restart).
    /// </summary>
    public const string AgentRestarted = "agent.restarted";

    /// <summary>
    /// The AppHost left a part stopped: it exited too many times in a row soon after starting
    /// (data: shortRuns, minUptimeSeconds, exitCode).
    /// </summary>
    public const string AgentCrashLoop = "agent.crash_loop";

    /// <summary>
    /// The Repo Manager heard no heartbeat from any instance of an agent type for longer than the heartbeat timeout
    /// (data: agentType, instanceId, lastHeartbeat, silentSeconds). Announced once until the type is healthy again.
    /// </summary>
    public const string AgentUnhealthy = "agent.unhealthy";

    /// <summary>Every type above.</summary>
    public static IReadOnlyList<string> All { get; } = [AgentRestarted, AgentCrashLoop, AgentUnhealthy];

    /// <summary>
    /// "multiagent.system.&lt;resource&gt;.&lt;type token&gt;", the type mapped as job event types are
    /// (<see cref="JobEventTypes.ToSubjectToken"/>): e.g. "multiagent.system.coder.agent_crash_loop".
    /// </summary>
    /// <exception cref="ArgumentException">The resource or the type cannot be used in a subject.</exception>
    public static string Subject(string resource, string type) => Subjects.SystemEvent(resource, JobEventTypes.ToSubjectToken(type));
}
