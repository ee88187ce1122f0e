using Microsoft.Extensions.Configuration;

/// <summary>
/// The settings the AppHost hands on to every agent: any key under one of <see cref="ForwardedSections"/>
/// (e.g. <c>MultiAgent:Agent:HeartbeatInterval</c>), as environment variables (<c>MultiAgent__Agent__HeartbeatInterval</c>).
/// </summary>
internal static class AgentSettings
{
    public static readonly string[] ForwardedSections =
        ["MultiAgent:Agent", "MultiAgent:TaskBus", "MultiAgent:Registry", "MultiAgent:Workspaces", "MultiAgent:Git", "MultiAgent:LocalGit", "MultiAgent:GitHub", "MultiAgent:Llm", "MultiAgent:Coder", "MultiAgent:Reviewer", "MultiAgent:Workflow"];

    public static IEnumerable<(string Key, string Value)> From(IConfiguration configuration) =>
        ForwardedSections
            .SelectMany(section => configuration.GetSection(section).AsEnumerable())
            .Where(pair => pair.Value is not null)
            .Select(pair => (pair.Key.Replace(":", "__", StringComparison.Ordinal), pair.Value!));
}
