using System.Text;
using System.Text.Json.Nodes;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MultiAgent.Hosting.Local;
using MultiAgent.Hosting.Logs;
using MultiAgent.Hosting.Restarts;

namespace MultiAgent.Hosting.Nats;

public static class NatsHostingExtensions
{
    /// <summary>The CLI users for whom run mode writes a CLI config file.</summary>
    public static readonly IReadOnlyList<string> CliUsers = [NatsUsers.Operator, NatsUsers.Viewer];

    /// <summary>
    /// Adds NATS with JetStream: a local nats-server process in run mode (or, with
    /// <see cref="LocalInfrastructureOptions.NatsClusterSize"/> 3 or 5, a JetStream cluster of as many processes: resources
    /// <c>{name}</c>, <c>{name}-2</c>, …), the official container with a data volume in publish mode. Either way the
    /// server knows the users of <see cref="NatsUsers"/> (a configuration file written by the AppHost, <c>-c</c>), each
    /// with a password that is an Aspire secret parameter named <c>{name}-{user}-password</c>; the resource's own
    /// connection string is the <c>admin</c> user's, and <see cref="WithNatsUser{T}"/> gives a resource another user's.
    /// For a cluster, the returned resource is the first node, and its connection strings list every node.
    /// </summary>
    public static IResourceBuilder<INatsServerResource> AddNatsJetStream(
        this IDistributedApplicationBuilder builder, string name, LocalInfrastructureOptions options)
    {
        if (builder.ExecutionContext.IsPublishMode)
        {
            return AddNatsContainer(builder, name);
        }

        var natsServer = LocalToolchain.FindNatsServer(options);
        if (options.UseFixedPorts)
        {
            PortGuard.EnsureFree(options.NatsPort, "NATS client port", nameof(options.NatsPort));
            PortGuard.EnsureFree(options.NatsMonitorPort, "NATS monitoring port", nameof(options.NatsMonitorPort));
            PortGuard.EnsureFree(options.NatsWebSocketPort, "NATS WebSocket port", nameof(options.NatsWebSocketPort));
        }

        // Generated once and kept in the data folder (mode 0600), as PostgreSQL's password is: the CLI config files
        // written from them stay valid across restarts.
        var passwords = NatsUsers.All.ToDictionary(
            user => user.Name,
            user => builder.AddParameter(
                user.PasswordParameterName(name), LocalSecret.ReadOrCreate(options.NatsPasswordFile(user.Name)), secret: true).Resource);

        // The configuration file names the WebSocket port (and a cluster node's every port), so it is chosen here (not by
        // DCP at start) and not proxied. Fixed ports (the CLI's defaults) belong to the first node.
        int? Fixed(int port) => options.UseFixedPorts ? port : null;
        if (options.NatsClusterSize == 1)
        {
            var server = new NatsServerProcessResource(name, natsServer, options.NatsDataDirectory, passwords);
            return AddNatsNode(builder, server, options, new NatsNodeLayout(
                options.NatsConfigFile, "multiagent", Fixed(options.NatsPort), Fixed(options.NatsMonitorPort),
                new WebSocketListener(Fixed(options.NatsWebSocketPort) ?? PortGuard.FindFree(), "127.0.0.1"), Routes: null));
        }

        // A cluster: every node's client port is its own (not behind DCP's proxy, whose port would accept connections and
        // never answer while the node is down), so that a client moves to the next node at once; the nodes find each
        // other on route ports chosen here and log in to them with a password of their own.
        var routePassword = LocalSecret.ReadOrCreate(options.NatsRoutePasswordFile);
        var routePorts = Enumerable.Range(0, options.NatsClusterSize).Select(_ => PortGuard.FindFree()).ToArray();
        var nodes = Enumerable.Range(1, options.NatsClusterSize)
            .Select(node => new NatsServerProcessResource(node == 1 ? name : $"{name}-{node}", natsServer, options.NatsNodeDataDirectory(node), passwords))
            .ToList();
        IResourceBuilder<INatsServerResource>? first = null;
        for (var index = 0; index < nodes.Count; index++)
        {
            var node = index + 1;
            nodes[index].Peers = [.. nodes.Where((_, other) => other != index)];
            var layout = new NatsNodeLayout(
                options.NatsNodeConfigFile(node),
                $"multiagent-{node}",
                node == 1 && options.UseFixedPorts ? options.NatsPort : PortGuard.FindFree(),
                node == 1 ? Fixed(options.NatsMonitorPort) : null,
                new WebSocketListener(node == 1 && options.UseFixedPorts ? options.NatsWebSocketPort : PortGuard.FindFree(), "127.0.0.1"),
                new NatsClusterRoutes("multiagent", routePorts[index], [.. routePorts.Where((_, other) => other != index)], routePassword),
                ClientPortProxied: false,
                WritesCliConfig: node == 1);
            var added = AddNatsNode(builder, nodes[index], options, layout);
            first ??= added;
        }

        return first!;
    }

    // One nats-server process: the single server, or one node of a cluster (Routes).
    private static IResourceBuilder<INatsServerResource> AddNatsNode(
        IDistributedApplicationBuilder builder, NatsServerProcessResource resource, LocalInfrastructureOptions options, NatsNodeLayout layout)
    {
        Directory.CreateDirectory(resource.WorkingDirectory);
        var healthCheckKey = $"{resource.Name}_healthz";
        builder.Services.AddHealthChecks()
            .Add(new Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckRegistration(
                healthCheckKey, _ => new NatsMonitorHealthCheck(resource.MonitorEndpoint), failureStatus: null, tags: null));

        var webSocket = layout.WebSocket;
        var node = builder.AddResource(resource)
            .WithEndpoint(
                port: layout.ClientPort, targetPort: layout.ClientPortProxied ? null : layout.ClientPort,
                name: NatsServerProcessResource.PrimaryEndpointName, scheme: "tcp", isProxied: layout.ClientPortProxied)
            .WithHttpEndpoint(port: layout.MonitorPort, name: NatsServerProcessResource.MonitorEndpointName)
            .WithEndpoint(port: webSocket.Port, targetPort: webSocket.Port, name: NatsServerProcessResource.WebSocketEndpointName, scheme: "ws", isProxied: false)
            .WithArgs(context =>
            {
                context.Args.Add("-c");
                context.Args.Add(layout.ConfigFile);
                context.Args.Add("--jetstream");
                context.Args.Add("--store_dir");
                context.Args.Add(resource.WorkingDirectory);
                context.Args.Add("--server_name");
                context.Args.Add(layout.ServerName);
                context.Args.Add("--addr");
                context.Args.Add("127.0.0.1");
                context.Args.Add("--port");
                context.Args.Add(resource.PrimaryEndpoint.Property(EndpointProperty.TargetPort));
                context.Args.Add("--http_port");
                context.Args.Add(resource.MonitorEndpoint.Property(EndpointProperty.TargetPort));
            })
            .WithHealthCheck(healthCheckKey)
            // A nats-server that dies is started again (MultiAgent:Restart); the agents reconnect on their own.
            .WithRestartPolicy()
            .WithLogFiles(options.DataRoot)
            .OnBeforeResourceStarted(async (server, @event, cancellationToken) =>
            {
                // Written at every start, from the parameters' values: the file always matches what the clients are given.
                var values = await ResolvePasswordsAsync(server, cancellationToken);
                LocalSecret.WriteOwnerOnly(layout.ConfigFile, NatsServerConfig.Render(
                    NatsUsers.All, user => NatsServerConfig.Quote(values[user]), webSocket, layout.Routes));
            });
        if (!layout.WritesCliConfig)
        {
            return node;
        }

        // The first node (or the one server) writes the CLI's config files, with every node's address.
        return node.OnResourceReady(async (server, @event, cancellationToken) =>
        {
            var values = await ResolvePasswordsAsync(server, cancellationToken);
            var url = ClientAddresses(server);
            foreach (var user in CliUsers)
            {
                LocalSecret.WriteOwnerOnly(CliConfigPath(options, user), CliConfigJson(url, user, values[user], options.LocalRepositoryRoots));
            }

            var logger = @event.Services.GetRequiredService<ResourceLoggerService>().GetLogger(server);
            logger.LogInformation(
                "CLI credentials (mode 0600): MULTIAGENT_CONFIG={Operator} (operator: submit, stop, approve, reject) or {Viewer} (viewer: read only)",
                CliConfigPath(options, NatsUsers.Operator), CliConfigPath(options, NatsUsers.Viewer));
        });
    }

    // How one nats-server process is laid out: its configuration file, name, ports (null: DCP picks one) and routes.
    private sealed record NatsNodeLayout(
        string ConfigFile, string ServerName, int? ClientPort, int? MonitorPort, WebSocketListener WebSocket, NatsClusterRoutes? Routes,
        bool ClientPortProxied = true, bool WritesCliConfig = true);

    /// <summary>
    /// Announces every restart and crash loop of the restart policy (<see cref="Restarts.RestartPolicyExtensions.WithRestartPolicy{T}"/>)
    /// on this server's event stream, as system events (<c>agent.restarted</c>, <c>agent.crash_loop</c>) published by
    /// the NATS user <see cref="NatsUsers.AppHost"/>. Run mode only, as the restart policy.
    /// </summary>
    public static IResourceBuilder<INatsServerResource> WithRestartEvents(this IResourceBuilder<INatsServerResource> nats)
    {
        ArgumentNullException.ThrowIfNull(nats);
        if (!nats.ApplicationBuilder.ExecutionContext.IsRunMode)
        {
            return nats;
        }

        nats.ApplicationBuilder.AddRestartEvents(nats.Resource.ConnectionStringFor(NatsUsers.AppHost));
        return nats;
    }

    /// <summary>
    /// Announces restarts and crash loops (as <see cref="WithRestartEvents"/>) on the event stream of a system this AppHost
    /// did not start (an agent host's): <paramref name="appHostConnectionString"/> is the <see cref="NatsUsers.AppHost"/>
    /// user's; each event names <paramref name="host"/>, the agent host. Run mode only.
    /// </summary>
    public static IDistributedApplicationBuilder AddRestartEvents(
        this IDistributedApplicationBuilder builder, ReferenceExpression appHostConnectionString, string? host = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(appHostConnectionString);
        if (!builder.ExecutionContext.IsRunMode)
        {
            return builder;
        }

        builder.Services.AddSingleton(provider => new NatsRestartAnnouncer(appHostConnectionString, provider.GetRequiredService<ILogger<NatsRestartAnnouncer>>(), host));
        builder.Services.AddSingleton<IRestartAnnouncer>(provider => provider.GetRequiredService<NatsRestartAnnouncer>());
        builder.Services.AddHostedService(provider => provider.GetRequiredService<NatsRestartAnnouncer>());
        return builder;
    }

    /// <summary>
    /// Gives the resource <c>ConnectionStrings:{connectionName}</c> of NATS user <paramref name="user"/>:
    /// <c>nats://user:{password}@host:port</c>, the password a secret parameter (masked in the dashboard, a parameter
    /// reference in a manifest).
    /// </summary>
    public static IResourceBuilder<T> WithNatsUser<T>(
        this IResourceBuilder<T> builder, IResourceBuilder<INatsServerResource> nats, string user, string connectionName = "nats")
        where T : IResourceWithEnvironment
    {
        ArgumentNullException.ThrowIfNull(nats);
        _ = NatsUsers.Get(user);
        return builder
            .WithEnvironment($"ConnectionStrings__{connectionName}", nats.Resource.ConnectionStringFor(user))
            .WithReferenceRelationship(nats.Resource);
    }

    /// <summary>
    /// Waits for NATS before the resource starts: the one server, or every node of the cluster (they start together, and a
    /// node is healthy only once the cluster has a JetStream leader).
    /// </summary>
    public static IResourceBuilder<T> WaitForNats<T>(this IResourceBuilder<T> builder, IResourceBuilder<INatsServerResource> nats)
        where T : IResourceWithWaitSupport
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(nats);
        builder.WaitFor(nats);
        foreach (var peer in (nats.Resource as NatsServerProcessResource)?.Peers ?? [])
        {
            builder.WaitFor(nats.ApplicationBuilder.CreateResourceBuilder(peer));
        }

        return builder;
    }

    /// <summary>The CLI config file of <paramref name="user"/> that run mode writes: <c>&lt;DataRoot&gt;/cli/&lt;user&gt;.json</c>.</summary>
    public static string CliConfigPath(LocalInfrastructureOptions options, string user) =>
        Path.Combine(options.CliConfigDirectory, $"{user}.json");

    /// <summary>
    /// The CLI's config-file format (see the CLI's CliConfigFile): the URL without credentials, user, password, and the
    /// folders local repositories must lie in (<c>localRepositoryRoots</c>, so the CLI refuses a path outside them before
    /// sending anything; left out when null).
    /// </summary>
    public static string CliConfigJson(string url, string user, string password, IReadOnlyList<string>? localRepositoryRoots = null)
    {
        var json = new JsonObject { ["nats"] = url, ["user"] = user, ["password"] = password };
        if (localRepositoryRoots is not null)
        {
            json["localRepositoryRoots"] = new JsonArray([.. localRepositoryRoots.Select(root => JsonValue.Create(root))]);
        }

        return json.ToJsonString() + "\n";
    }

    /// <summary>
    /// <c>nats://host:port</c> of every client endpoint (a cluster's every node), separated by commas, without credentials:
    /// what the CLI's config files and the join file give. The endpoints must be allocated (the server is running).
    /// </summary>
    internal static string ClientAddresses(INatsServerResource server) =>
        string.Join(',', server.ClientEndpoints.Select(endpoint => $"nats://{endpoint.Host}:{endpoint.Port}"));

    /// <summary>Every user's password, by user name (the parameters' values).</summary>
    internal static async Task<Dictionary<string, string>> ResolvePasswordsAsync(INatsServerResource server, CancellationToken cancellationToken)
    {
        var values = new Dictionary<string, string>();
        foreach (var (user, parameter) in server.Passwords)
        {
            values[user] = await parameter.GetValueAsync(cancellationToken)
                ?? throw new InvalidOperationException($"The password parameter '{parameter.Name}' has no value.");
        }

        return values;
    }

    /// <summary>
    /// Publish mode: the Alpine NATS image. Its configuration travels in the environment variable NATS_CONFIG_BASE64,
    /// which holds no secret (every password is written <c>$NATS_PASSWORD_&lt;USER&gt;</c>, which nats-server reads from
    /// its environment); the passwords are secret parameters with generated defaults, given as NATS_PASSWORD_&lt;USER&gt;.
    /// A shell decodes the variable to a file (mode 0600) and execs nats-server on it. Base64, because azd reads every
    /// brace in a manifest value as an expression, and the configuration's blocks are in braces.
    /// </summary>
    private static IResourceBuilder<INatsServerResource> AddNatsContainer(IDistributedApplicationBuilder builder, string name)
    {
        var passwords = NatsUsers.All.ToDictionary(
            user => user.Name,
            user => builder.AddParameter(
                user.PasswordParameterName(name),
                new GenerateParameterDefault { MinLength = 32, Special = false },
                secret: true).Resource);

        var container = builder.AddResource(new NatsServerContainerResource(name, passwords))
            .WithImage(NatsServerContainerResource.Image, NatsServerContainerResource.Tag)
            .WithImageRegistry("docker.io")
            .WithEndpoint(targetPort: 4222, name: NatsServerProcessResource.PrimaryEndpointName, scheme: "tcp")
            .WithHttpEndpoint(targetPort: 8222, name: NatsServerProcessResource.MonitorEndpointName)
            // The WebSocket listener is the one way in from outside: Container Apps' HTTPS ingress (wss://) in front of it.
            .WithHttpEndpoint(targetPort: NatsServerContainerResource.WebSocketPort, name: NatsServerProcessResource.WebSocketEndpointName)
            .WithEndpoint(NatsServerProcessResource.WebSocketEndpointName, endpoint => endpoint.IsExternal = true)
            .WithVolume("nats-data", "/data")
            .WithEntrypoint("/bin/sh")
            .WithArgs(
                "-c",
                $"umask 077 && printf '%s' \"${NatsServerContainerResource.ConfigVariable}\" | base64 -d > /tmp/nats-server.conf && exec nats-server -c /tmp/nats-server.conf \"$@\"",
                "nats-server",
                "--jetstream", "--store_dir", "/data", "--http_port", "8222")
            .WithEnvironment(NatsServerContainerResource.ConfigVariable, Convert.ToBase64String(Encoding.UTF8.GetBytes(NatsServerConfig.Render(
                NatsUsers.All, NatsServerConfig.EnvironmentReference, new WebSocketListener(NatsServerContainerResource.WebSocketPort)))));
        foreach (var (user, password) in passwords)
        {
            container.WithEnvironment(NatsServerConfig.PasswordVariable(user), password);
        }

        return container;
    }
}
