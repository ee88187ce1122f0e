namespace Microsoft.Extensions.Hosting;

/// <summary>Names of the system's own telemetry sources, registered by <see cref="ServiceDefaultsExtensions"/>.</summary>
public static class MultiAgentTelemetry
{
    public const string ActivitySourceName = "MultiAgent";

    /// <summary>The system's own spans: one per task (<c>task &lt;message type&gt;</c>), tagged with its job and task.</summary>
    public static readonly System.Diagnostics.ActivitySource Source = new(ActivitySourceName);
    public const string MeterName = "MultiAgent";
}
