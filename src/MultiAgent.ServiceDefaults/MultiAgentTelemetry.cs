namespace Microsoft.Extensions.Hosting;

/// <summary>Names of the system's own telemetry sources, registered by <see cref="ServiceDefaultsExtensions"/>.</summary>
public static class MultiAgentTelemetry
{
    public const string ActivitySourceName = "MultiAgent";
    public const string MeterName = "MultiAgent";
}
