using Microsoft.Extensions.Configuration;
using MultiAgent.Hosting.Join;
using MultiAgent.Hosting.Local;
using MultiAgent.Messaging;

namespace MultiAgent.UnitTests.Hosting;

/// <summary>
/// What an agent host reads to join a system (the join file), and the AppHost settings around it: the cluster size and
/// the streams' copies, an agent host's own data folder.
/// </summary>
public sealed class JoinFileTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("multiagent-join-").FullName;

    private static JoinFile Sample => new(
        "nats://localhost:4222,nats://localhost:4232",
        "Host=localhost;Port=5433;Username=postgres;Password=db-secret;Database=multiagent",
        new Dictionary<string, string> { ["coder"] = "coder-secret", ["apphost"] = "apphost-secret" },
        ["/srv/repos"],
        3);

    [Fact]
    public void A_written_join_file_reads_back_the_same()
    {
        var path = Write(Sample.ToJson());

        var read = JoinFile.Read(path);

        Assert.Equal(Sample.Nats, read.Nats);
        Assert.Equal(["nats://localhost:4222", "nats://localhost:4232"], read.NatsUrls);
        Assert.Equal(Sample.Database, read.Database);
        Assert.Equal(Sample.Passwords, read.Passwords);
        Assert.Equal(["/srv/repos"], read.LocalRepositoryRoots);
        Assert.Equal(3, read.StreamReplicas);
        Assert.Equal("coder-secret", read.PasswordOf("coder", path));
    }

    [Theory]
    [InlineData("{\"database\": \"Host=x\", \"passwords\": {}}", "has no \"nats\"")]
    [InlineData("{\"nats\": \"nats://localhost:4222\", \"passwords\": {}}", "has no \"database\"")]
    [InlineData("{\"nats\": \"nats://localhost:4222\", \"database\": \"Host=x\"}", "has no \"passwords\"")]
    [InlineData("{\"nats\": \"nats://coder:pw@localhost:4222\", \"database\": \"Host=x\", \"passwords\": {}}", "without credentials")]
    [InlineData("{\"nats\": \"http://localhost:4222\", \"database\": \"Host=x\", \"passwords\": {}}", "nats://host:port addresses")]
    [InlineData("{\"nats\": \"nats://localhost:4222\", \"database\": \"Host=x\", \"passwords\": {}, \"streamReplicas\": 7}", "between 1 and 5")]
    [InlineData("{\"nats\": \"nats://localhost:4222\", \"database\": \"Host=x\", \"passwords\": {}, \"localRepositoryRoots\": [\"/srv/repos\", 7]}", "must be a list of folder paths")]
    [InlineData("{\"nats\": \"nats://localhost:4222\", \"database\": \"Host=x\", \"passwords\": {}, \"localRepositoryRoots\": \"/srv/repos\"}", "must be a list of folder paths")]
    [InlineData("{\"nats\": \"nats://localhost:4222\", \"database\": \"Host=x\", \"passwords\": {}, \"localRepositoryRoots\": [\" \"]}", "must be a list of folder paths")]
    [InlineData("[1, 2]", "does not hold a JSON object")]
    [InlineData("not json", "is not JSON")]
    public void A_join_file_that_lacks_something_is_refused_saying_what(string content, string expected)
    {
        var path = Write(content);

        var refused = Assert.Throws<LocalPrerequisiteException>(() => JoinFile.Read(path));

        Assert.Contains(expected, refused.Message, StringComparison.Ordinal);
        Assert.Contains(path, refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_agent_whose_password_the_file_does_not_give_is_named_and_no_password_is_printed()
    {
        var path = Write(Sample.ToJson());

        var refused = Assert.Throws<LocalPrerequisiteException>(() => JoinFile.Read(path).PasswordOf("reviewer", path));

        Assert.Contains("no password for the NATS user 'reviewer'", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 3)]
    [InlineData(5, 3)]
    public void Streams_keep_as_many_copies_as_the_cluster_has_nodes_at_most_three(int clusterSize, int replicas)
    {
        var options = Options(("MultiAgent:DataRoot", "/var/lib/multiagent"), ("MultiAgent:Nats:ClusterSize", clusterSize.ToString(System.Globalization.CultureInfo.InvariantCulture)));

        Assert.Equal(clusterSize, options.NatsClusterSize);
        Assert.Equal(replicas, options.StreamReplicas);
        Assert.True(new TaskBusOptionsValidator().Validate(null, new TaskBusOptions { StreamReplicas = replicas }).Succeeded);
        Assert.Equal("/var/lib/multiagent/nats-cluster/node-2", options.NatsNodeDataDirectory(2));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(6)]
    public void A_stream_replica_count_jetstream_cannot_keep_is_refused(int replicas)
    {
        var result = new TaskBusOptionsValidator().Validate(null, new TaskBusOptions { StreamReplicas = replicas });

        Assert.True(result.Failed);
        Assert.Contains("StreamReplicas must be between 1 and 5.", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Each_stream_is_created_with_the_configured_copies()
    {
        Assert.All(JetStreamTopology.StreamConfigs(new TaskBusOptions { StreamReplicas = 3 }), stream => Assert.Equal(3, stream.NumReplicas));
        Assert.All(JetStreamTopology.StreamConfigs(new TaskBusOptions()), stream => Assert.Equal(1, stream.NumReplicas));
    }

    [Fact]
    public void An_agent_host_keeps_its_data_apart_from_a_systems_unless_told_where()
    {
        var system = Options();
        var host = Options((JoinFile.FileSetting, "/tmp/join.json"));
        var placed = Options((JoinFile.FileSetting, "/tmp/join.json"), ("MultiAgent:DataRoot", "/srv/agents"));

        Assert.Equal(Path.Combine(system.DataRoot, "agent-host"), host.DataRoot);
        Assert.Equal("/srv/agents", placed.DataRoot);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string Write(string content)
    {
        var path = Path.Combine(_folder, Guid.NewGuid().ToString("N") + ".json");
        File.WriteAllText(path, content);
        return path;
    }

    private static LocalInfrastructureOptions Options(params (string Key, string Value)[] settings) =>
        LocalInfrastructureOptions.From(
            new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))).Build(),
            "/nonexistent-apphost");
}
