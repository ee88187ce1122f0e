using MultiAgent.Contracts;

namespace MultiAgent.AgentRuntime;

/// <summary>Which agent this process is, and which instance of it (several may share one agent type's work).</summary>
public sealed record AgentIdentity(AgentType AgentType, string InstanceId)
{
    public static AgentIdentity Create(AgentType agentType) =>
        new(agentType, $"{agentType.ToString().ToLowerInvariant()}-{Environment.MachineName.ToLowerInvariant()}-{Environment.ProcessId}");
}
