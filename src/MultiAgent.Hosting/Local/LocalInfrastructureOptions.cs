using Microsoft.Extensions.Configuration;

namespace MultiAgent.Hosting.Local;

/// <summary>
/// Where the local servers keep their data and which ports they listen on in run mode.
/// Bound from the <c>MultiAgent</c> configuration section of the AppHost.
/// </summary>
public sealed record LocalInfrastructureOptions
{
    public const string SectionName = "MultiAgent";

    /// <summary>The agents' setting for the folders local repositories must lie in (MultiAgent.Repositories' LocalRepositoryPolicy).</summary>
    public const string AllowedRootsSetting = "MultiAgent:LocalGit:AllowedRoots";

    /// <summary>
    /// The AppHost setting naming a join file (MultiAgent.Hosting.Join.JoinFile): that AppHost is an agent host, which
    /// starts agents only, against the system that wrote the file.
    /// </summary>
    public const string JoinFileSetting = "MultiAgent:Join:File";

    /// <summary>Folder holding <c>nats/</c> (JetStream store), <c>postgres/</c> (cluster), the generated passwords and <c>repos/</c>.</summary>
    public required string DataRoot { get; init; }

    /// <summary>Client port of NATS (the CLI's default is nats://localhost:4222).</summary>
    public int NatsPort { get; init; } = 4222;

    /// <summary>HTTP monitoring port of NATS (serves /healthz, /varz, /jsz).</summary>
    public int NatsMonitorPort { get; init; } = 8222;

    /// <summary>NATS's WebSocket listener (on 127.0.0.1, no TLS), for a CLI that connects with <c>ws://</c>.</summary>
    public int NatsWebSocketPort { get; init; } = 4223;

    /// <summary>PostgreSQL port; 5433 so that it never meets a distribution cluster on 5432.</summary>
    public int PostgresPort { get; init; } = 5433;

    /// <summary>
    /// False when Aspire randomises ports (Aspire.Hosting.Testing does), so that parallel runs never collide;
    /// then the ports above are not used.
    /// </summary>
    public bool UseFixedPorts { get; init; } = true;

    /// <summary>
    /// Whether the agents send their traces, metrics and logs over OTLP to the dashboard (<c>MultiAgent:Telemetry:Export</c>,
    /// true). False where no dashboard listens (the tests, the benchmarks): the agents then export nothing instead of
    /// trying every second, and keep their own figures (/metrics) as always.
    /// </summary>
    public bool ExportTelemetry { get; init; } = true;

    /// <summary>
    /// How many nats-server processes run mode starts (<c>MultiAgent:Nats:ClusterSize</c>): 1, a single server; 3 or 5, a
    /// JetStream cluster whose streams keep <see cref="StreamReplicas"/> copies, so that losing a node loses nothing.
    /// </summary>
    public int NatsClusterSize { get; init; } = 1;

    /// <summary>Copies of each stream the agents create: the cluster size, at most 3 (JetStream's usual replication).</summary>
    public int StreamReplicas => StreamReplicasFor(NatsClusterSize);

    /// <summary>Copies of each stream on a NATS cluster of <paramref name="clusterSize"/> nodes: its size, at most 3.</summary>
    public static int StreamReplicasFor(int clusterSize) => Math.Min(clusterSize, 3);

    /// <summary>Explicit path of nats-server; found on PATH when empty.</summary>
    public string? NatsServerPath { get; init; }

    /// <summary>Explicit PostgreSQL bin folder; the newest /usr/lib/postgresql/&lt;version&gt;/bin when empty.</summary>
    public string? PostgresBinDirectory { get; init; }

    /// <summary>
    /// The allowed roots configured under <see cref="AllowedRootsSetting"/> (<c>:0</c>, <c>:1</c>, …), as full paths;
    /// empty when none are, and then <see cref="LocalRepositoryRoots"/> is the data folder's <c>repos/</c>.
    /// </summary>
    public IReadOnlyList<string> ConfiguredRepositoryRoots { get; init; } = [];

    /// <summary>The default folder for local repositories: <c>&lt;DataRoot&gt;/repos</c> (the AppHost creates it).</summary>
    public string RepositoriesDirectory => Path.Combine(DataRoot, "repos");

    /// <summary>
    /// The folders local repositories must lie in, as the agents get them (<see cref="AllowedRootsSetting"/>) and the CLI
    /// config files list them: the configured ones, else <see cref="RepositoriesDirectory"/>.
    /// </summary>
    public IReadOnlyList<string> LocalRepositoryRoots => ConfiguredRepositoryRoots.Count > 0 ? ConfiguredRepositoryRoots : [RepositoriesDirectory];

    public string NatsDataDirectory => Path.Combine(DataRoot, "nats");

    /// <summary>
    /// The JetStream store of cluster node <paramref name="node"/> (1-based): <c>nats-cluster/node-&lt;n&gt;</c>, apart from the
    /// single server's <c>nats/</c> (a server cannot change between the two with its data).
    /// </summary>
    public string NatsNodeDataDirectory(int node) => Path.Combine(DataRoot, "nats-cluster", $"node-{node}");

    /// <summary>The configuration file of cluster node <paramref name="node"/> (mode 0600, rewritten at every start).</summary>
    public string NatsNodeConfigFile(int node) => Path.Combine(DataRoot, "nats-cluster", $"node-{node}.conf");

    /// <summary>The password the cluster's nodes log in to each other's route port with (mode 0600).</summary>
    public string NatsRoutePasswordFile => Path.Combine(DataRoot, "nats-route.password");

    public string PostgresDataDirectory => Path.Combine(DataRoot, "postgres");

    public string PostgresPasswordFile => Path.Combine(DataRoot, "postgres.password");

    /// <summary>The generated password of a NATS user (mode 0600).</summary>
    public string NatsPasswordFile(string user) => Path.Combine(DataRoot, $"nats-{user}.password");

    /// <summary>nats-server's configuration (users and permissions), rewritten at every start (mode 0600).</summary>
    public string NatsConfigFile => Path.Combine(DataRoot, "nats-server.conf");

    /// <summary>CLI config files, one per CLI user (<c>operator.json</c>, <c>viewer.json</c>), mode 0600.</summary>
    public string CliConfigDirectory => Path.Combine(DataRoot, "cli");

    /// <summary>
    /// Reads the options. The default data root is <c>&lt;apphost&gt;/.data</c>, or <c>/var/lib/multiagent</c>
    /// when running as root (PostgreSQL then runs as the <c>postgres</c> user, which must be able to reach the folder,
    /// and a checkout under /root is not reachable for it).
    /// </summary>
    public static LocalInfrastructureOptions From(IConfiguration configuration, string appHostDirectory)
    {
        var section = configuration.GetSection(SectionName);
        var dataRoot = section["DataRoot"];
        if (string.IsNullOrWhiteSpace(dataRoot))
        {
            dataRoot = Environment.IsPrivilegedProcess
                ? "/var/lib/multiagent"
                : Path.Combine(appHostDirectory, ".data");

            // An agent host keeps its logs and workspaces apart from a system's on the same machine.
            if (!string.IsNullOrWhiteSpace(configuration[JoinFileSetting]))
            {
                dataRoot = Path.Combine(dataRoot, "agent-host");
            }
        }

        var randomizePorts = configuration.GetValue<bool>("DcpPublisher:RandomizePorts");
        // A list (AllowedRoots:0, :1, …), or one path given as AllowedRoots itself; relative paths are taken from here.
        var rootsSection = configuration.GetSection(AllowedRootsSetting);
        var roots = rootsSection.GetChildren().Select(child => child.Value).Append(rootsSection.Value)
            .Where(root => !string.IsNullOrWhiteSpace(root))
            .Select(root => Path.TrimEndingDirectorySeparator(Path.GetFullPath(root!.Trim())))
            .Distinct(StringComparer.Ordinal)
            .ToList();
        var clusterSize = configuration.GetValue("MultiAgent:Nats:ClusterSize", 1);
        if (clusterSize is not (1 or 3 or 5))
        {
            // Two or four nodes survive no more failures than one or three: a JetStream cluster needs a majority.
            throw new LocalPrerequisiteException(
                $"MultiAgent:Nats:ClusterSize must be 1 (one server), 3 or 5 (a JetStream cluster); it is {clusterSize}.");
        }

        return new LocalInfrastructureOptions
        {
            NatsClusterSize = clusterSize,
            DataRoot = Path.GetFullPath(dataRoot),
            NatsPort = section.GetValue("NatsPort", 4222),
            NatsMonitorPort = section.GetValue("NatsMonitorPort", 8222),
            NatsWebSocketPort = section.GetValue("NatsWebSocketPort", 4223),
            PostgresPort = section.GetValue("PostgresPort", 5433),
            UseFixedPorts = !randomizePorts,
            ExportTelemetry = configuration.GetValue("MultiAgent:Telemetry:Export", true),
            NatsServerPath = section["NatsServerPath"],
            PostgresBinDirectory = section["PostgresBinDirectory"],
            ConfiguredRepositoryRoots = roots,
        };
    }
}
