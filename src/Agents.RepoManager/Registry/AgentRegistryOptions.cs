namespace Agents.RepoManager.Registry;

/// <summary>Bound from <c>MultiAgent:Registry</c>.</summary>
public sealed class AgentRegistryOptions
{
    public const string SectionName = "MultiAgent:Registry";

    /// <summary>An agent not heard from for this long is unhealthy (three heartbeats by default).</summary>
    public TimeSpan HeartbeatTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>A stopped or silent instance is forgotten after this long.</summary>
    public TimeSpan ForgetAfter { get; set; } = TimeSpan.FromHours(1);
}
