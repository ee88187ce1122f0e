using Aspire.Hosting.ApplicationModel;

namespace MultiAgent.Hosting.Nats;

/// <summary>
/// A local <c>nats-server -js</c> process (run mode), started with a configuration file of users: the one server, or one
/// node of a cluster (the first node stands for the cluster: its connection strings list every node).
/// </summary>
public sealed class NatsServerProcessResource(
    string name, string command, string workingDirectory, IReadOnlyDictionary<string, ParameterResource> passwords)
    : ExecutableResource(name, command, workingDirectory), INatsServerResource
{
    internal const string PrimaryEndpointName = "tcp";
    internal const string MonitorEndpointName = "monitor";
    internal const string WebSocketEndpointName = "ws";

    private EndpointReference? _primaryEndpoint;
    private EndpointReference? _monitorEndpoint;
    private EndpointReference? _webSocketEndpoint;

    public EndpointReference PrimaryEndpoint => _primaryEndpoint ??= new(this, PrimaryEndpointName);

    /// <summary>The HTTP monitoring endpoint (/healthz, /varz, /jsz).</summary>
    public EndpointReference MonitorEndpoint => _monitorEndpoint ??= new(this, MonitorEndpointName);

    /// <summary>The WebSocket listener (ws://, for a CLI that cannot reach the client port).</summary>
    public EndpointReference WebSocketEndpoint => _webSocketEndpoint ??= new(this, WebSocketEndpointName);

    public IReadOnlyDictionary<string, ParameterResource> Passwords { get; } = passwords;

    /// <summary>The cluster's other nodes (none for a single server).</summary>
    public IReadOnlyList<NatsServerProcessResource> Peers { get; internal set; } = [];

    public IReadOnlyList<EndpointReference> ClientEndpoints => [PrimaryEndpoint, .. Peers.Select(peer => peer.PrimaryEndpoint)];

    public ReferenceExpression ConnectionStringExpression => ((INatsServerResource)this).ConnectionStringFor(NatsUsers.Admin);
}
