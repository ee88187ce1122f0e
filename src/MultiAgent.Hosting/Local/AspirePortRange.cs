using System.Globalization;
using Aspire.Hosting;
using Microsoft.Extensions.Configuration;

namespace MultiAgent.Hosting.Local;

/// <summary>
/// Keeps the ports Aspire chooses apart from those <see cref="PortGuard.FindFree()"/> chooses. Aspire picks the port of
/// an endpoint given none (PostgreSQL's, a NATS node's monitor) from a range below the ephemeral ports, 10000-32767 unless
/// told otherwise, which holds <see cref="PortGuard.FindFree()"/>'s too; each checks only that a port is free when it
/// picks it, so Aspire, for one AppHost, could pick a port that <see cref="PortGuard"/> chose for another AppHost's
/// server that has not started yet (the test suite runs several AppHosts in one process). Aspire is given the ports
/// below <see cref="PortGuard.LowestChosen"/>, <see cref="PortGuard"/> keeps those from it up. A range the user chose
/// (<c>ASPIRE_PROXYLESS_ENDPOINT_PORT_RANGE</c>, or the two settings) stays.
/// </summary>
public static class AspirePortRange
{
    /// <summary>The settings Aspire reads its range from.</summary>
    public const string StartSetting = "DcpPublisher:ProxylessEndpointPortRangeStart";

    /// <inheritdoc cref="StartSetting"/>
    public const string EndSetting = "DcpPublisher:ProxylessEndpointPortRangeEnd";

    /// <summary>The first port Aspire is given (its own default's start).</summary>
    public const int Start = 10000;

    private static readonly string[] UserSettings = [StartSetting, EndSetting, "ASPIRE_PROXYLESS_ENDPOINT_PORT_RANGE"];

    /// <summary>Gives Aspire the ports below <see cref="PortGuard"/>'s in run mode (see the class); publish mode is left alone.</summary>
    public static IDistributedApplicationBuilder WithAspirePortsBelowPortGuard(this IDistributedApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (builder.ExecutionContext.IsRunMode && !ChosenByUser(builder.Configuration))
        {
            builder.Configuration[StartSetting] = Start.ToString(CultureInfo.InvariantCulture);
            builder.Configuration[EndSetting] = (PortGuard.LowestChosen - 1).ToString(CultureInfo.InvariantCulture);
        }

        return builder;
    }

    /// <summary>True when the user set Aspire's range.</summary>
    public static bool ChosenByUser(IConfiguration configuration) =>
        UserSettings.Any(key => !string.IsNullOrWhiteSpace(configuration[key]));
}
