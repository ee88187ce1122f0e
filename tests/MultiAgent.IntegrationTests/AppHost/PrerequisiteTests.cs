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

    public void Dispose() => Directory.Delete(_dataRoot, recursive: true);
}
