using Microsoft.Extensions.Configuration;
using MultiAgent.Contracts;
using MultiAgent.Hosting.Local;

/// <summary>
/// Which agents this AppHost starts and how many instances of each: <c>MultiAgent:Agents</c> (agent names separated by
/// commas, or a list; every agent when unset) and <c>MultiAgent:Replicas:&lt;agent&gt;</c> (1 to 8, 1 when unset). An agent
/// host on another machine starts only the agents it is for (docs/scaling.md).
/// </summary>
internal static class AgentSelection
{
    public const string AgentsSetting = "MultiAgent:Agents";

    public const int MaxReplicas = 8;

    /// <exception cref="LocalPrerequisiteException">A name is no agent's, or a replica count is out of range.</exception>
    public static IReadOnlyList<(AgentDescriptor Agent, int Replicas)> From(IConfiguration configuration)
    {
        var section = configuration.GetSection(AgentsSetting);
        var names = section.GetChildren().Select(child => child.Value).Append(section.Value)
            .Where(value => !string.IsNullOrWhiteSpace(value))
            .SelectMany(value => value!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Select(name => name.ToLowerInvariant())
            .ToHashSet(StringComparer.Ordinal);
        var unknown = names.FirstOrDefault(name => AgentCatalogue.Named(name) is null);
        if (unknown is not null)
        {
            throw new LocalPrerequisiteException(
                $"{AgentsSetting} names '{unknown}', which is no agent; the agents are {string.Join(", ", AgentCatalogue.All.Select(a => a.Name))}.");
        }

        return
        [
            .. AgentCatalogue.All
                .Where(agent => names.Count == 0 || names.Contains(agent.Name))
                .Select(agent => (agent, Replicas(configuration, agent))),
        ];
    }

    private static int Replicas(IConfiguration configuration, AgentDescriptor agent)
    {
        var replicas = configuration.GetValue($"MultiAgent:Replicas:{agent.Name}", 1);
        return replicas is >= 1 and <= MaxReplicas
            ? replicas
            : throw new LocalPrerequisiteException($"MultiAgent:Replicas:{agent.Name} must be between 1 and {MaxReplicas} (it is {replicas}).");
    }
}
