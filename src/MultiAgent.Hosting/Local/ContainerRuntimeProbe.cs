using Aspire.Hosting;
using Microsoft.Extensions.Configuration;

namespace MultiAgent.Hosting.Local;

/// <summary>
/// Run mode starts every server and agent as a process and no container, yet DCP asks the container runtime it
/// looks for (docker unless told otherwise) for its health every two seconds, a <c>docker</c> process each time (about
/// 60 ms of CPU on 2 cores, whether a docker daemon runs or not). Naming podman as the runtime when no podman is
/// installed ends that: DCP finds no podman to ask. A runtime the user chose (<c>ASPIRE_CONTAINER_RUNTIME</c>,
/// <c>DOTNET_ASPIRE_CONTAINER_RUNTIME</c> or <c>--dcp-container-runtime</c>) stays, and so does an installed podman.
/// </summary>
public static class ContainerRuntimeProbe
{
    /// <summary>The setting Aspire gives DCP as its container runtime.</summary>
    public const string Setting = "DcpPublisher:ContainerRuntime";

    private static readonly string[] UserSettings = [Setting, "ASPIRE_CONTAINER_RUNTIME", "DOTNET_ASPIRE_CONTAINER_RUNTIME"];

    /// <summary>Stops DCP's container runtime probes in run mode (see the class); publish mode is left alone.</summary>
    public static IDistributedApplicationBuilder WithoutContainerRuntimeProbes(this IDistributedApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (builder.ExecutionContext.IsRunMode && NeedsNoProbe(builder.Configuration, LocalToolchain.FindOnPath("podman") is not null))
        {
            builder.Configuration[Setting] = "podman";
        }

        return builder;
    }

    /// <summary>True when nobody chose a container runtime and no podman is installed (whose probes would cost the same).</summary>
    public static bool NeedsNoProbe(IConfiguration configuration, bool podmanInstalled) =>
        !podmanInstalled && UserSettings.All(key => string.IsNullOrWhiteSpace(configuration[key]));
}
