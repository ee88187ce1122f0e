using Aspire.Hosting.ApplicationModel;

namespace MultiAgent.Hosting.Nats;

/// <summary>The official NATS image with JetStream on a volume (publish mode, for Azure Container Apps).</summary>
public sealed class NatsServerContainerResource(string name) : ContainerResource(name), IResourceWithConnectionString
{
    internal const string Image = "nats";
    internal const string Tag = "2.10";

    private EndpointReference? _primaryEndpoint;

    public EndpointReference PrimaryEndpoint => _primaryEndpoint ??= new(this, NatsServerProcessResource.PrimaryEndpointName);

    public ReferenceExpression ConnectionStringExpression =>
        ReferenceExpression.Create($"nats://{PrimaryEndpoint.Property(EndpointProperty.HostAndPort)}");
}
