using Aspire.Hosting;
using MultiAgent.Hosting.Join;
using MultiAgent.Hosting.Local;

namespace MultiAgent.IntegrationTests.Infrastructure;

/// <summary>
/// Beyond one machine: the whole system with NATS as a three-node JetStream cluster (<c>MultiAgent:Nats:ClusterSize=3</c>)
/// and no Coder of its own, and an agent host beside it: a second AppHost, started with the system's join file, running
/// two Coder instances (<see cref="HostCoders"/>) against the same NATS and PostgreSQL, as a second machine would. Neither
/// AppHost restarts what dies (<c>MultiAgent:Restart:Enabled=false</c>): a test kills a node or an instance, sees the rest
/// carry on, and starts it again itself.
/// </summary>
public sealed class ClusterFixture : SystemFixture
{
    public static readonly string[] NatsNodes = ["nats", "nats-2", "nats-3"];

    /// <summary>The agent host's Coder instances (resource names in <see cref="AgentHost"/>).</summary>
    public static readonly string[] HostCoders = ["coder", "coder-2"];

    private readonly string _hostDataRoot = Path.Combine(Path.GetTempPath(), "multiagent-tests", Guid.NewGuid().ToString("N"));
    private IReadOnlyList<string> _agentSettings = [];
    private DistributedApplication? _agentHost;

    /// <summary>The agent host's AppHost (its resources: <see cref="HostCoders"/>).</summary>
    public DistributedApplication AgentHost => _agentHost ?? throw new InvalidOperationException("The agent host is not started.");

    protected override IEnumerable<string> ExpectedResources => [.. NatsNodes, "postgres", "multiagentdb", "repomanager", "reviewer"];

    protected override async Task<IReadOnlyList<string>> BeforeStartAsync()
    {
        // The agents' settings (model, GitHub, task bus), which the agent host hands its own agents as well.
        // A pull lost with the node that held it is noticed after the pull's expiry: 3 s here instead of 10 s, so that a
        // job outliving a node does not wait for it.
        _agentSettings = [.. await base.BeforeStartAsync(), "--MultiAgent:TaskBus:PullExpiry=00:00:03"];
        return [.. _agentSettings, "--MultiAgent:Nats:ClusterSize=3", "--MultiAgent:Agents=repomanager,reviewer", "--MultiAgent:Restart:Enabled=false"];
    }

    protected override async Task AfterStartAsync(CancellationToken cancellationToken)
    {
        // The system writes its join file once NATS is ready; the agent host starts from it.
        var joinFile = JoinFile.PathIn(new LocalInfrastructureOptions { DataRoot = DataRoot });
        await Eventually.ReturnsAsync(_ => Task.FromResult(File.Exists(joinFile)), exists => exists, TimeSpan.FromSeconds(30), "the system's join file");
        Directory.CreateDirectory(_hostDataRoot);
        _agentHost = await StartAppAsync(
            _hostDataRoot,
            [
                .. _agentSettings,
                $"--{JoinFile.FileSetting}={joinFile}",
                "--MultiAgent:Agents=coder",
                "--MultiAgent:Replicas:coder=2",
                "--MultiAgent:Restart:Enabled=false",
            ],
            HostCoders,
            cancellationToken);
    }

    protected override async ValueTask BeforeStopAsync()
    {
        if (_agentHost is not null)
        {
            await _agentHost.DisposeAsync();
        }
    }

    protected override async ValueTask AfterStopAsync()
    {
        await base.AfterStopAsync();
        try
        {
            Directory.Delete(_hostDataRoot, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Left under the temp folder.
        }
    }
}

/// <summary>The three-node NATS cluster and the agent host (<see cref="ClusterFixture"/>).</summary>
[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "cluster";
}
