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
        "MultiAgent:Agent", "MultiAgent:TaskBus", "MultiAgent:Registry", "MultiAgent:Events", NotificationsSection, "MultiAgent:Workspaces", "MultiAgent:Git",
        "MultiAgent:LocalGit", "MultiAgent:GitHub", "MultiAgent:Llm",
        .. AgentCatalogue.All.Select(agent => agent.SettingsSection),
    ];

    /// <summary>Notification channels (webhook URLs, the SMTP password): only the Repo Manager, which sends them, gets these.</summary>
    public const string NotificationsSection = "MultiAgent:Notifications";

    /// <summary>The agents' memory limit (their runtime's MemoryWatchdog reads it too) and its default, 1 GiB; 0: none.</summary>
    public const string MemoryLimitSetting = "MultiAgent:Agent:MemoryLimitBytes";

    public const long DefaultMemoryLimitBytes = 1L << 30;

    public static IEnumerable<(string Key, string Value)> From(IConfiguration configuration, IReadOnlyList<string> allowedRoots, AgentType agent) =>
        ForwardedSections
            .Where(section => section != NotificationsSection || agent == AgentType.RepoManager)
            .SelectMany(section => configuration.GetSection(section).AsEnumerable())
            .Where(pair => pair.Value is not null && !IsAllowedRoots(pair.Key))
            .Select(pair => (EnvironmentName(pair.Key), pair.Value!))
            .Concat(allowedRoots.Select((root, index) => (EnvironmentName($"{LocalInfrastructureOptions.AllowedRootsSetting}:{index}"), root)))
            .Concat(GcHeapLimit(configuration));

    /// <summary>
    /// What a published agent gets (a manifest holds no other setting): the memory limit, for its watchdog and as the
    /// GC's hard heap limit, so that it caps itself whatever size its container is given.
    /// </summary>
    public static IEnumerable<(string Key, string Value)> PublishedMemoryLimit(IConfiguration configuration) =>
        [
            (EnvironmentName(MemoryLimitSetting), MemoryLimit(configuration).ToString(System.Globalization.CultureInfo.InvariantCulture)),
            .. GcHeapLimit(configuration),
        ];

    private static long MemoryLimit(IConfiguration configuration) => configuration.GetValue(MemoryLimitSetting, DefaultMemoryLimitBytes);

    // The GC's hard heap limit at the agents' memory limit (hexadecimal bytes, as the runtime reads it): the heap never
    // grows past it; what else the process holds is the watchdog's to see.
    private static IEnumerable<(string Key, string Value)> GcHeapLimit(IConfiguration configuration) =>
        MemoryLimit(configuration) is > 0 and var limit
            ? [("DOTNET_GCHeapHardLimit", limit.ToString("X", System.Globalization.CultureInfo.InvariantCulture))]
            : [];

    private static bool IsAllowedRoots(string key) =>
        key.Equals(LocalInfrastructureOptions.AllowedRootsSetting, StringComparison.OrdinalIgnoreCase)
        || key.StartsWith(LocalInfrastructureOptions.AllowedRootsSetting + ":", StringComparison.OrdinalIgnoreCase);

    private static string EnvironmentName(string key) => key.Replace(":", "__", StringComparison.Ordinal);
}
