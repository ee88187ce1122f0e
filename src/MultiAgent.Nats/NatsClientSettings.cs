namespace MultiAgent.Nats;

/// <summary>
/// Settings of the NATS client integration, bound from <c>Aspire:NATS:Net</c> (the section Aspire's own
/// NATS integration uses), with the URL from <c>ConnectionStrings:{name}</c>.
/// </summary>
public sealed class NatsClientSettings
{
    public const string ConfigurationSectionName = "Aspire:NATS:Net";

    /// <summary>nats://[user:password@]host:port, or several URLs separated by commas.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>Name the client announces to the server (shown by the server's /connz).</summary>
    public string? ClientName { get; set; }

    public bool DisableHealthChecks { get; set; }

    public bool DisableTracing { get; set; }

    /// <summary>How long a health check waits for a (re)connection before it answers unhealthy.</summary>
    public TimeSpan HealthCheckTimeout { get; set; } = TimeSpan.FromSeconds(2);
}
