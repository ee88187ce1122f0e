using Microsoft.Extensions.Configuration;
using MultiAgent.Contracts;
using MultiAgent.Hosting.Local;

/// <summary>
/// The settings the AppHost hands on to every agent: any key under one of <see cref="ForwardedSections"/>
/// (e.g. <c>MultiAgent:Agent:HeartbeatInterval</c>), as environment variables (<c>MultiAgent__Agent__HeartbeatInterval</c>),
/// and the allowed local repository roots the AppHost settled on (<c>MultiAgent__LocalGit__AllowedRoots__0</c>, …: the
/// configured ones as full paths, else <c>&lt;DataRoot&gt;/repos</c>), in place of whatever was configured under that key.
/// </summary>
internal static class AgentSettings
{
    /// <summary>The sections every agent shares, then each agent type's own (<see cref="AgentDescriptor.SettingsSection"/>).</summary>
    public static readonly string[] ForwardedSections =
    [
        "MultiAgent:Agent", "MultiAgent:TaskBus", "MultiAgent:Registry", "MultiAgent:Workspaces", "MultiAgent:Git",
        "MultiAgent:LocalGit", "MultiAgent:GitHub", "MultiAgent:Llm",
        .. AgentCatalogue.All.Select(agent => agent.SettingsSection),
    ];

    public static IEnumerable<(string Key, string Value)> From(IConfiguration configuration, IReadOnlyList<string> allowedRoots) =>
        ForwardedSections
            .SelectMany(section => configuration.GetSection(section).AsEnumerable())
            .Where(pair => pair.Value is not null && !IsAllowedRoots(pair.Key))
            .Select(pair => (EnvironmentName(pair.Key), pair.Value!))
            .Concat(allowedRoots.Select((root, index) => (EnvironmentName($"{LocalInfrastructureOptions.AllowedRootsSetting}:{index}"), root)));

    private static bool IsAllowedRoots(string key) =>
        key.Equals(LocalInfrastructureOptions.AllowedRootsSetting, StringComparison.OrdinalIgnoreCase)
        || key.StartsWith(LocalInfrastructureOptions.AllowedRootsSetting + ":", StringComparison.OrdinalIgnoreCase);

    private static string EnvironmentName(string key) => key.Replace(":", "__", StringComparison.Ordinal);
}
