using System.Net;
using System.Net.Sockets;

namespace MultiAgent.IntegrationTests.AppHost;

/// <summary>What a user sees when the machine is not ready: the AppHost stops at once and says what to do.</summary>
public sealed class PrerequisiteTests : IDisposable
{
    private readonly string _dataRoot = Directory.CreateTempSubdirectory("multiagent-prereq-").FullName;

    private string DataRootArgument => $"--MultiAgent:DataRoot={_dataRoot}";

    [Fact]
    public async Task Missing_nats_server_names_the_package_to_install()
    {
        // PATH keeps only the folder of dotnet itself, so nats-server cannot be found.
        var dotnetFolder = Path.GetDirectoryName(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH")) ?? "/usr/share/dotnet";

        var run = await AppHostProcess.RunAsync([DataRootArgument], new Dictionary<string, string> { ["PATH"] = dotnetFolder });

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("nats-server was not found", run.StandardError);
        Assert.Contains("apt-get install -y nats-server", run.StandardError);
    }

    [Fact]
    public async Task Missing_postgres_binaries_name_the_package_to_install()
    {
        var run = await AppHostProcess.RunAsync([DataRootArgument, $"--MultiAgent:PostgresBinDirectory={_dataRoot}/no-such-folder"]);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("holds no 'postgres' and 'initdb'", run.StandardError);
        Assert.Contains("apt-get install -y postgresql", run.StandardError);
    }

    [Fact]
    public async Task A_port_already_taken_is_reported_by_number()
    {
        using var squatter = new TcpListener(IPAddress.Loopback, 0);
        squatter.Start();
        var port = ((IPEndPoint)squatter.LocalEndpoint).Port;

        var run = await AppHostProcess.RunAsync([DataRootArgument, $"--MultiAgent:NatsPort={port}"]);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"Port {port} (NATS client port) is already in use", run.StandardError);
    }

    [Fact]
    public async Task A_cluster_size_without_a_majority_is_refused_with_the_sizes_allowed()
    {
        var run = await AppHostProcess.RunAsync([DataRootArgument, "--MultiAgent:Nats:ClusterSize=2"]);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("MultiAgent:Nats:ClusterSize must be 1 (one server), 3 or 5 (a JetStream cluster); it is 2.", run.StandardError);
    }

    [Fact]
    public async Task An_agent_name_that_is_no_agents_is_refused_with_the_names_there_are()
    {
        var run = await AppHostProcess.RunAsync([DataRootArgument, "--MultiAgent:Agents=coder,tester"]);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("MultiAgent:Agents names 'tester', which is no agent; the agents are", run.StandardError);
    }

    [Fact]
    public async Task An_agent_host_whose_join_file_is_missing_says_it_cannot_read_it()
    {
        var missing = Path.Combine(_dataRoot, "join.json");

        var run = await AppHostProcess.RunAsync([DataRootArgument, $"--MultiAgent:Join:File={missing}"]);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"Cannot read the join file {missing}", run.StandardError);
    }

    [Fact]
    public async Task An_agent_host_refuses_an_agent_whose_NATS_password_the_join_file_does_not_give()
    {
        var join = Path.Combine(_dataRoot, "join.json");
        await File.WriteAllTextAsync(join, new MultiAgent.Hosting.Join.JoinFile(
            "nats://127.0.0.1:4222", "Host=127.0.0.1;Port=5433;Username=u;Password=secret-db;Database=d",
            new Dictionary<string, string> { ["coder"] = "secret-coder", ["apphost"] = "secret-apphost" }, [], 1).ToJson());

        var run = await AppHostProcess.RunAsync([DataRootArgument, $"--MultiAgent:Join:File={join}", "--MultiAgent:Agents=reviewer"]);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"The join file {join} gives no password for the NATS user 'reviewer'", run.StandardError);
        Assert.DoesNotContain("secret-", run.StandardError + run.StandardOutput, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_dataRoot, recursive: true);
}
