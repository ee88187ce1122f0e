using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using MultiAgent.Hosting.Local;

namespace MultiAgent.Hosting.Nats;

public static class NatsHostingExtensions
{
    /// <summary>
    /// Adds NATS with JetStream: a local nats-server process in run mode, the official container with a data volume
    /// in publish mode. Either way the result is a connection-string resource named <paramref name="name"/>.
    /// </summary>
    public static IResourceBuilder<IResourceWithConnectionString> AddNatsJetStream(
        this IDistributedApplicationBuilder builder, string name, LocalInfrastructureOptions options)
    {
        if (builder.ExecutionContext.IsPublishMode)
        {
            return builder.AddResource(new NatsServerContainerResource(name))
                .WithImage(NatsServerContainerResource.Image, NatsServerContainerResource.Tag)
                .WithImageRegistry("docker.io")
                .WithEndpoint(targetPort: 4222, name: NatsServerProcessResource.PrimaryEndpointName, scheme: "tcp")
                .WithHttpEndpoint(targetPort: 8222, name: NatsServerProcessResource.MonitorEndpointName)
                .WithVolume("nats-data", "/data")
                .WithArgs("--jetstream", "--store_dir", "/data", "--http_port", "8222");
        }

        var natsServer = LocalToolchain.FindNatsServer(options);
        if (options.UseFixedPorts)
        {
            PortGuard.EnsureFree(options.NatsPort, "NATS client port", nameof(options.NatsPort));
            PortGuard.EnsureFree(options.NatsMonitorPort, "NATS monitoring port", nameof(options.NatsMonitorPort));
        }

        Directory.CreateDirectory(options.NatsDataDirectory);
        var resource = new NatsServerProcessResource(name, natsServer, options.NatsDataDirectory);
        var healthCheckKey = $"{name}_healthz";
        builder.Services.AddHealthChecks()
            .Add(new Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckRegistration(
                healthCheckKey, _ => new NatsMonitorHealthCheck(resource.MonitorEndpoint), failureStatus: null, tags: null));

        return builder.AddResource(resource)
            .WithEndpoint(port: options.UseFixedPorts ? options.NatsPort : null, name: NatsServerProcessResource.PrimaryEndpointName, scheme: "tcp")
            .WithHttpEndpoint(port: options.UseFixedPorts ? options.NatsMonitorPort : null, name: NatsServerProcessResource.MonitorEndpointName)
            .WithArgs(context =>
            {
                context.Args.Add("--jetstream");
                context.Args.Add("--store_dir");
                context.Args.Add(options.NatsDataDirectory);
                context.Args.Add("--server_name");
                context.Args.Add("multiagent");
                context.Args.Add("--addr");
                context.Args.Add("127.0.0.1");
                context.Args.Add("--port");
                context.Args.Add(resource.PrimaryEndpoint.Property(EndpointProperty.TargetPort));
                context.Args.Add("--http_port");
                context.Args.Add(resource.MonitorEndpoint.Property(EndpointProperty.TargetPort));
            })
            .WithHealthCheck(healthCheckKey);
    }
}
