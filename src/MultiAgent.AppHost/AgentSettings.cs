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
        "MultiAgent:LocalGit", "MultiAgent:GitHub", "MultiAgent:Llm", "MultiAgent:Projects",
        .. AgentCatalogue.All.Select(agent => agent.SettingsSection),
    ];

    /// <summary>Notification channels (webhook URLs, the SMTP password): only the Repo Manager, which sends them, gets these.</summary>
    public const string NotificationsSection = "MultiAgent:Notifications";

    /// <summary>The agents' memory limit (their runtime's MemoryWatchdog reads it too) and its default, 1 GiB; 0: none.</summary>
    public const string MemoryLimitSetting = "MultiAgent:Agent:MemoryLimitBytes";

    public const long DefaultMemoryLimitBytes = 1L << 30;

    /// <summary>The streams' replica count (MultiAgent.Messaging's TaskBusOptions.StreamReplicas), set by the AppHost in run mode.</summary>
    public const string StreamReplicasSetting = "MultiAgent:TaskBus:StreamReplicas";

    public static IEnumerable<(string Key, string Value)> From(IConfiguration configuration, IReadOnlyList<string> allowedRoots, AgentType agent) =>
        Forwarded(configuration, agent)
            .Select(pair => (EnvironmentName(pair.Key), pair.Value))
            .Concat(allowedRoots.Select((root, index) => (EnvironmentName($"{LocalInfrastructureOptions.AllowedRootsSetting}:{index}"), root)))
            .Concat(RuntimeSettings(configuration));

    /// <summary>
    /// What a published agent gets as values in the manifest: the settings of <see cref="From"/> except every one whose
    /// name says it is a secret (those are parameters, <see cref="PublishedSecrets"/>) and the local repository roots (a
    /// published system has no local repositories); and the memory limit, for the agent's watchdog and as the GC's
    /// hard heap limit, so that it caps itself whatever size its container is given.
    /// </summary>
    public static IEnumerable<(string Key, string Value)> Published(IConfiguration configuration, AgentType agent) =>
        Forwarded(configuration, agent)
            .Where(pair => !MultiAgent.Secrets.SecretRedactor.IsSecretSetting(pair.Key) && !pair.Key.Equals(MemoryLimitSetting, StringComparison.OrdinalIgnoreCase))
            .Select(pair => (EnvironmentName(pair.Key), pair.Value))
            .Append((EnvironmentName(MemoryLimitSetting), MemoryLimit(configuration).ToString(System.Globalization.CultureInfo.InvariantCulture)))
            .Concat(RuntimeSettings(configuration));

    // The keys with a value under the sections this agent type is given, except the allowed roots (set by the AppHost).
    private static IEnumerable<(string Key, string Value)> Forwarded(IConfiguration configuration, AgentType agent) =>
        ForwardedSections
            .Where(section => section != NotificationsSection || agent == AgentType.RepoManager)
            .SelectMany(section => configuration.GetSection(section).AsEnumerable())
            .Where(pair => pair.Value is not null && !IsAllowedRoots(pair.Key))
            .Select(pair => (pair.Key, pair.Value!));

    private static long MemoryLimit(IConfiguration configuration) => configuration.GetValue(MemoryLimitSetting, DefaultMemoryLimitBytes);

    // How the agent's .NET runtime runs, set through its environment: the GC's heap limit and the JIT's tiering.
    private static IEnumerable<(string Key, string Value)> RuntimeSettings(IConfiguration configuration) =>
        GcHeapLimit(configuration).Concat(JitSettings);

    // The GC's hard heap limit at the agents' memory limit (hexadecimal bytes, as the runtime reads it): the heap never
    // grows past it; what else the process holds is the watchdog's to see.
    private static IEnumerable<(string Key, string Value)> GcHeapLimit(IConfiguration configuration) =>
        MemoryLimit(configuration) is > 0 and var limit
            ? [("DOTNET_GCHeapHardLimit", limit.ToString("X", System.Globalization.CultureInfo.InvariantCulture))]
            : [];

    // Methods stay as first compiled (quick JIT; loops are still optimised on the spot, and the framework's own code is
    // precompiled): an agent waits on NATS, PostgreSQL, git and the model, and re-compiling its hot methods cost more
    // CPU at every start and 20-25 MB of memory for the life of the process than it saved. Pipeline benchmark, 1 Coder,
    // 16 jobs one at a time, back to back on 2 cores: 127-131/126/123-125 MB resident against 152-153/146/144 MB,
    // hand-off p99 18-29 ms against 25-37 ms; 16 at once: 51 against 46 jobs a minute (docs/operations.md). Only the
    // environment variable sets it (no runtimeconfig.json property exists); a check's commands get none of the agent's
    // environment.
    private static readonly (string Key, string Value)[] JitSettings = [("DOTNET_TC_CallCounting", "0")];

    private static bool IsAllowedRoots(string key) =>
        key.Equals(LocalInfrastructureOptions.AllowedRootsSetting, StringComparison.OrdinalIgnoreCase)
        || key.StartsWith(LocalInfrastructureOptions.AllowedRootsSetting + ":", StringComparison.OrdinalIgnoreCase);

    public static string EnvironmentName(string key) => key.Replace(":", "__", StringComparison.Ordinal);
}
