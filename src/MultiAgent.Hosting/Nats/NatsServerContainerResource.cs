using Aspire.Hosting.ApplicationModel;

namespace MultiAgent.Hosting.Nats;

/// <summary>The official NATS image with JetStream on a volume (publish mode, for Azure Container Apps).</summary>
public sealed class NatsServerContainerResource(string name, IReadOnlyDictionary<string, ParameterResource> passwords)
    : ContainerResource(name), INatsServerResource
{
    /// <summary>The Alpine variant: its shell writes the configuration from an environment variable before the server starts.</summary>
    internal const string Image = "nats";
    internal const string Tag = "2.10-alpine";

    /// <summary>The WebSocket listener's port inside the container (behind the HTTPS ingress).</summary>
    internal const int WebSocketPort = 8080;

    /// <summary>The environment variable that carries the server's configuration file, base64-encoded.</summary>
    public const string ConfigVariable = "NATS_CONFIG_BASE64";

    private EndpointReference? _primaryEndpoint;

    public EndpointReference PrimaryEndpoint => _primaryEndpoint ??= new(this, NatsServerProcessResource.PrimaryEndpointName);

    public IReadOnlyDictionary<string, ParameterResource> Passwords { get; } = passwords;

    public ReferenceExpression ConnectionStringExpression => ((INatsServerResource)this).ConnectionStringFor(NatsUsers.Admin);
}
