using Microsoft.Extensions.Configuration;

/// <summary>Where a published system's server comes from.</summary>
internal enum ServiceSource
{
    /// <summary>The built-in container (with a data volume), described in the manifest: for trials.</summary>
    Container,

    /// <summary>
    /// A server run elsewhere (Azure Database for PostgreSQL, a managed NATS): the manifest holds a secret
    /// connection-string parameter instead, which azd asks for.
    /// </summary>
    External,
}

/// <summary>
/// The publish-time choice between the built-in server containers and servers run elsewhere:
/// <c>MultiAgent:Publish:Database</c> and <c>MultiAgent:Publish:Nats</c>, each <c>container</c> (the default) or
/// <c>external</c>. Run mode always starts local server processes and ignores both.
/// </summary>
internal sealed record PublishedServices(ServiceSource Database, ServiceSource Nats)
{
    public const string DatabaseSetting = "MultiAgent:Publish:Database";
    public const string NatsSetting = "MultiAgent:Publish:Nats";

    /// <summary>The secret connection-string parameter of an external database (the agents' <c>ConnectionStrings:multiagentdb</c>).</summary>
    public const string DatabaseParameter = "multiagentdb";

    /// <summary>
    /// The secret connection-string parameter of an agent's user on an external NATS server (its
    /// <c>ConnectionStrings:nats</c>, e.g. <c>nats://coder:…@nats.example.com:4222</c>): one per agent, as each agent
    /// is a NATS user of its own.
    /// </summary>
    public static string NatsParameter(string agent) => $"nats-{agent}";

    /// <exception cref="ArgumentException">A setting is neither <c>container</c> nor <c>external</c>.</exception>
    public static PublishedServices From(IConfiguration configuration) =>
        new(Parse(configuration, DatabaseSetting), Parse(configuration, NatsSetting));

    private static ServiceSource Parse(IConfiguration configuration, string key) =>
        configuration[key]?.Trim().ToLowerInvariant() switch
        {
            null or "" or "container" => ServiceSource.Container,
            "external" => ServiceSource.External,
            var other => throw new ArgumentException($"{key} is '{other}'; it must be 'container' (the built-in server) or 'external' (a connection string azd asks for)."),
        };
}
