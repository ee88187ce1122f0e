using System.Text;

namespace MultiAgent.Hosting.Nats;

/// <summary>
/// Writes nats-server's configuration file (<c>-c</c>): the <c>authorization</c> block with every user of
/// <see cref="NatsUsers"/> and its permissions. Server options (ports, JetStream, store) stay on the command line.
/// </summary>
public static class NatsServerConfig
{
    /// <summary>
    /// The configuration text. <paramref name="password"/> gives, for a user name, the value written after
    /// <c>password:</c>: a quoted literal (<see cref="Quote"/>) in run mode, or a reference to an environment
    /// variable (<see cref="EnvironmentReference"/>) that nats-server resolves when it reads the file.
    /// </summary>
    /// <remarks>
    /// With <paramref name="webSocket"/>, the server also listens for WebSocket clients there, without TLS (in run mode
    /// on 127.0.0.1; in a deployment behind the HTTPS ingress, which terminates TLS); they log in as the same users
    /// with the same permissions, so no client is let in without a password.
    /// </remarks>
    /// <remarks>
    /// With <paramref name="cluster"/>, the server is one node of a JetStream cluster: it listens for routes from the other
    /// nodes (which must log in as the route user, so that no other process can join the cluster and read its messages)
    /// and connects to theirs.
    /// </remarks>
    public static string Render(
        IEnumerable<NatsUser> users, Func<string, string> password, WebSocketListener? webSocket = null, NatsClusterRoutes? cluster = null)
    {
        ArgumentNullException.ThrowIfNull(users);
        ArgumentNullException.ThrowIfNull(password);
        var text = new StringBuilder();
        text.Append("# nats-server configuration written by the MultiAgent AppHost; do not edit: it is rewritten at every start.\n");
        text.Append("# Users and their permissions: see docs/security.md (\"NATS: authentication and authorisation\").\n");
        text.Append("authorization {\n");
        text.Append("  users = [\n");
        foreach (var user in users)
        {
            text.Append("    {\n");
            text.Append($"      # {user.Description}\n");
            text.Append($"      user: {Quote(user.Name)}\n");
            text.Append($"      password: {password(user.Name)}\n");
            var permissions = user.Permissions;
            if (permissions.Publish is not null || permissions.Subscribe is not null || permissions.AllowResponses)
            {
                text.Append("      permissions: {\n");
                AppendList(text, "publish", permissions.Publish);
                AppendList(text, "subscribe", permissions.Subscribe);
                if (permissions.AllowResponses)
                {
                    text.Append("        allow_responses: true\n");
                }

                text.Append("      }\n");
            }

            text.Append("    }\n");
        }

        text.Append("  ]\n");
        text.Append("}\n");
        if (webSocket is { } listener)
        {
            text.Append("# WebSocket clients (the CLI through ws:// or wss://): the users above, nothing else.\n");
            text.Append("websocket {\n");
            if (listener.Host is { } host)
            {
                text.Append($"  host: {Quote(host)}\n");
            }

            text.Append($"  port: {listener.Port}\n");
            text.Append("  no_tls: true\n");
            text.Append("}\n");
        }

        if (cluster is not null)
        {
            AppendCluster(text, cluster);
        }

        return text.ToString();
    }

    /// <summary>A double-quoted configuration string.</summary>
    public static string Quote(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var quoted = new StringBuilder("\"");
        foreach (var c in value)
        {
            if (c is '"' or '\\')
            {
                quoted.Append('\\');
            }
            else if (char.IsControl(c))
            {
                throw new ArgumentException("A NATS configuration string cannot hold control characters.", nameof(value));
            }

            quoted.Append(c);
        }

        return quoted.Append('"').ToString();
    }

    /// <summary>The environment variable holding a user's password where the file refers to it: NATS_PASSWORD_CODER.</summary>
    public static string PasswordVariable(string user) => "NATS_PASSWORD_" + user.ToUpperInvariant();

    /// <summary>A reference to the password variable of <paramref name="user"/>: <c>$NATS_PASSWORD_CODER</c>.</summary>
    public static string EnvironmentReference(string user) => "$" + PasswordVariable(user);

    private static void AppendCluster(StringBuilder text, NatsClusterRoutes cluster)
    {
        text.Append("# The JetStream cluster: routes between the nodes, which log in as the route user.\n");
        text.Append("cluster {\n");
        text.Append($"  name: {Quote(cluster.Name)}\n");
        text.Append($"  host: {Quote(cluster.Host)}\n");
        text.Append($"  port: {cluster.Port}\n");
        text.Append("  authorization {\n");
        text.Append($"    user: {Quote(NatsClusterRoutes.User)}\n");
        text.Append($"    password: {Quote(cluster.Password)}\n");
        text.Append("  }\n");
        text.Append("  routes = [\n");
        var credentials = $"{NatsClusterRoutes.User}:{Uri.EscapeDataString(cluster.Password)}";
        foreach (var peer in cluster.PeerPorts)
        {
            text.Append($"    {Quote($"nats-route://{credentials}@{cluster.Host}:{peer}")}\n");
        }

        text.Append("  ]\n");
        text.Append("}\n");
    }

    private static void AppendList(StringBuilder text, string direction, IReadOnlyList<string>? subjects)
    {
        if (subjects is null)
        {
            return;
        }

        text.Append($"        {direction}: {{\n");
        text.Append("          allow: [\n");
        foreach (var subject in subjects)
        {
            text.Append($"            {Quote(subject)}\n");
        }

        text.Append("          ]\n");
        text.Append("        }\n");
    }
}

/// <summary>Where nats-server listens for WebSocket clients (<see cref="NatsServerConfig.Render"/>).</summary>
/// <param name="Port">The port.</param>
/// <param name="Host">The address to listen on; null: every address (in a container).</param>
public sealed record WebSocketListener(int Port, string? Host = null);

/// <summary>One node's routes in a cluster of nats-servers on one machine (<see cref="NatsServerConfig.Render"/>).</summary>
/// <param name="Name">The cluster's name, the same on every node.</param>
/// <param name="Port">Where this node listens for routes.</param>
/// <param name="PeerPorts">The other nodes' route ports.</param>
/// <param name="Password">The route user's password, the same on every node.</param>
/// <param name="Host">The address routes listen on and connect to.</param>
public sealed record NatsClusterRoutes(string Name, int Port, IReadOnlyList<int> PeerPorts, string Password, string Host = "127.0.0.1")
{
    /// <summary>The user a node logs in as on another node's route port.</summary>
    public const string User = "route";
}
