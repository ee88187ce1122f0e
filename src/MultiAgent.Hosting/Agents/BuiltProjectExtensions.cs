using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;

namespace MultiAgent.Hosting.Agents;

public static class BuiltProjectExtensions
{
    /// <summary>
    /// Runs a built project's assembly directly (<c>dotnet &lt;assembly&gt;.dll</c>) instead of through <c>dotnet run</c>:
    /// no build check at every start and no <c>dotnet run</c> process beside it, so a start (and a restart) takes
    /// about a second and the system one process per agent less. The project keeps what its <c>http</c> launch profile
    /// gives under <c>dotnet run</c>: the endpoint <c>http</c> (the profile's port when <paramref name="fixedPort"/>,
    /// else a random one) and the profile's environment, and sends its telemetry to the dashboard.
    /// </summary>
    public static IResourceBuilder<ExecutableResource> AddBuiltProject(
        this IDistributedApplicationBuilder builder, string name, BuiltProject project, bool fixedPort)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(project);
        var resource = builder.AddExecutable(name, DotnetHost(), project.ProjectDirectory, project.AssemblyPath)
            .WithHttpEndpoint(port: fixedPort ? project.HttpPort : null, name: "http")
            .WithOtlpExporter();
        var endpoint = resource.GetEndpoint("http");
        return resource.WithEnvironment(context =>
        {
            foreach (var (key, value) in project.Environment)
            {
                context.EnvironmentVariables[key] = value;
            }

            // Kestrel listens where the AppHost's proxy forwards to, on loopback only.
            context.EnvironmentVariables["ASPNETCORE_URLS"] = ReferenceExpression.Create($"http://localhost:{endpoint.Property(EndpointProperty.TargetPort)}");
        });
    }

    // The dotnet host this AppHost runs on (set by the SDK for what it starts), else the one on PATH.
    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host)
            ? host
            : Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet"
                ? self
                : "dotnet";
}
