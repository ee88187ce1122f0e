namespace Microsoft.Extensions.Hosting;

/// <summary>Names of the system's own telemetry sources, registered by <see cref="ServiceDefaultsExtensions"/>.</summary>
public static class MultiAgentTelemetry
{
    public const string ActivitySourceName = MultiAgent.Contracts.Telemetry.WorkSpans.SourceName;

    /// <summary>
    /// The system's own spans: one per task (<c>task &lt;message type&gt;</c>), tagged with its job and task; inside it the
    /// tools', the check's and git's (<see cref="MultiAgent.Contracts.Telemetry.WorkSpans"/>).
    /// </summary>
    public static readonly System.Diagnostics.ActivitySource Source = new(ActivitySourceName);
    public const string MeterName = "MultiAgent";
}
