namespace MultiAgent.Contracts;

/// <summary>One agent type as the whole system knows it.</summary>
/// <param name="Type">The enum value.</param>
/// <param name="Name">
/// Its one name: the subject token (<c>multiagent.tasks.&lt;name&gt;</c>), the NATS user, the Aspire resource, the key of
/// its LLM section (<c>MultiAgent:Llm:Agents:&lt;name&gt;</c>). Lower case, a valid subject token.
/// </param>
/// <param name="DisplayName">How messages name it ("the Coder").</param>
/// <param name="SettingsSection">Its own settings (e.g. <c>MultiAgent:Coder</c>), which the AppHost hands on.</param>
/// <param name="ReadinessPath">The HTTP path that says whether an instance is ready (the AppHost's health check).</param>
/// <param name="Handles">The message types it takes (<see cref="MessageTypes"/>): its handlers must cover exactly these.</param>
/// <param name="RequiredForHealth">Whether the system is unhealthy while no instance of it is alive.</param>
public sealed record AgentDescriptor(
    AgentType Type,
    string Name,
    string DisplayName,
    string SettingsSection,
    string ReadinessPath,
    IReadOnlyList<string> Handles,
    bool RequiredForHealth = true);

/// <summary>
/// Every agent type with what the rest of the system needs to know about it. Subjects, NATS users, the LLM settings,
/// the system health report, the AppHost and the test fixture read it: adding an agent type means an entry here, its
/// project (and its line in the AppHost's project list), and the workflow that sends it work.
/// </summary>
public static class AgentCatalogue
{
    /// <summary>Every agent type, in the order of <see cref="AgentType"/>.</summary>
    /// <remarks>
    /// The Repo Manager's readiness is <c>/health/ready</c>: its <c>/health</c> is the whole system's health, which is
    /// unhealthy until the other agents are up.
    /// </remarks>
    public static IReadOnlyList<AgentDescriptor> All { get; } =
    [
        new(AgentType.Coder, "coder", "Coder", "MultiAgent:Coder", "/health", [MessageTypes.ImplementationRequest]),
        new(AgentType.Reviewer, "reviewer", "Reviewer", "MultiAgent:Reviewer", "/health", [MessageTypes.ReviewRequest]),
        new(AgentType.RepoManager, "repomanager", "Repo Manager", "MultiAgent:Workflow", "/health/ready",
            [MessageTypes.FeatureRequest, MessageTypes.ImplementationResult, MessageTypes.ReviewResult, MessageTypes.ApprovalDecision, MessageTypes.ProjectRequest]),
    ];

    /// <summary>Every agent type, in the order of <see cref="All"/>.</summary>
    public static IReadOnlyList<AgentType> Types { get; } = [.. All.Select(a => a.Type)];

    /// <summary>The descriptor of <paramref name="type"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="type"/> is not in the catalogue.</exception>
    public static AgentDescriptor Of(AgentType type) =>
        All.FirstOrDefault(a => a.Type == type) ?? throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown agent type.");

    /// <summary>The agent type called <paramref name="name"/> (its <see cref="AgentDescriptor.Name"/>), or null.</summary>
    public static AgentDescriptor? Named(string? name) => All.FirstOrDefault(a => a.Name == name);

    /// <summary>
    /// The AppHost's resource name of <paramref name="agent"/>'s instance number <paramref name="instance"/> (from 1):
    /// the first is named after the agent ("coder"), the others "&lt;agent&gt;-&lt;n&gt;" ("coder-2", MultiAgent:Replicas).
    /// </summary>
    public static string ResourceName(AgentDescriptor agent, int instance)
    {
        ArgumentNullException.ThrowIfNull(agent);
        ArgumentOutOfRangeException.ThrowIfLessThan(instance, 1);
        return instance == 1 ? agent.Name : $"{agent.Name}-{instance}";
    }

    /// <summary>The agent type an AppHost resource runs (<see cref="ResourceName"/>: "coder", "coder-2"), or null.</summary>
    public static AgentDescriptor? OfResource(string resource)
    {
        ArgumentNullException.ThrowIfNull(resource);
        var dash = resource.LastIndexOf('-');
        return Named(dash > 0 && resource[(dash + 1)..] is { Length: > 0 } suffix && suffix.All(char.IsAsciiDigit) ? resource[..dash] : resource);
    }
}
