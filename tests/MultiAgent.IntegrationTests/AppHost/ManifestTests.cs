using System.Text.Json;

namespace MultiAgent.IntegrationTests.AppHost;

/// <summary>The manifest azd deploys to Azure Container Apps: containers for the servers, projects for the agents.</summary>
public sealed class ManifestTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("multiagent-manifest-").FullName;

    [Fact]
    public async Task Publisher_writes_containers_for_nats_and_postgres_and_projects_bound_to_both()
    {
        var path = Path.Combine(_folder, "aspire-manifest.json");

        // Agent settings given to the AppHost reach the agents in run mode only: a token must never land in a manifest.
        var run = await AppHostProcess.RunAsync(
            ["--publisher", "manifest", "--output-path", path, "--MultiAgent:GitHub:Token=ghp_not_for_the_manifest"]);

        Assert.True(run.ExitCode == 0, run.Output);
        var text = await File.ReadAllTextAsync(path);
        Assert.DoesNotContain("ghp_not_for_the_manifest", text);
        Assert.DoesNotContain("MultiAgent__GitHub", text);
        using var manifest = JsonDocument.Parse(text);
        var resources = manifest.RootElement.GetProperty("resources");

        var nats = resources.GetProperty("nats");
        Assert.Equal("container.v0", nats.GetProperty("type").GetString());
        Assert.StartsWith("docker.io/nats:", nats.GetProperty("image").GetString());
        Assert.Contains("--jetstream", nats.GetProperty("args").EnumerateArray().Select(a => a.GetString()));
        Assert.Equal("/data", Assert.Single(nats.GetProperty("volumes").EnumerateArray()).GetProperty("target").GetString());
        Assert.Equal(4222, nats.GetProperty("bindings").GetProperty("tcp").GetProperty("targetPort").GetInt32());

        // The server's configuration travels as a value with no secret in it; passwords are generated secret parameters.
        var natsEnv = nats.GetProperty("env");
        var config = natsEnv.GetProperty("NATS_CONFIG").GetString()!;
        foreach (var user in new[] { "coder", "reviewer", "repomanager", "operator", "viewer", "apphost", "admin" })
        {
            var variable = $"NATS_PASSWORD_{user.ToUpperInvariant()}";
            Assert.Contains($"user: \"{user}\"", config);
            Assert.Contains($"password: ${variable}", config);
            Assert.Equal($"{{nats-{user}-password.value}}", natsEnv.GetProperty(variable).GetString());
            var password = resources.GetProperty($"nats-{user}-password");
            Assert.Equal("parameter.v0", password.GetProperty("type").GetString());
            var input = password.GetProperty("inputs").GetProperty("value");
            Assert.True(input.GetProperty("secret").GetBoolean());
            Assert.True(input.GetProperty("default").TryGetProperty("generate", out _));
        }

        Assert.DoesNotMatch("[0-9a-f]{48}", text); // no password the run mode generated (48 hex digits)

        var postgres = resources.GetProperty("postgres");
        Assert.Equal("container.v0", postgres.GetProperty("type").GetString());
        Assert.Contains("postgres", postgres.GetProperty("image").GetString());
        Assert.Single(postgres.GetProperty("volumes").EnumerateArray());

        var database = resources.GetProperty("multiagentdb");
        Assert.Equal("value.v0", database.GetProperty("type").GetString());
        Assert.Equal("{postgres.connectionString};Database=multiagent", database.GetProperty("connectionString").GetString());

        foreach (var agent in MultiAgent.Contracts.AgentCatalogue.All.Select(a => a.Name))
        {
            var project = resources.GetProperty(agent);
            Assert.Equal("project.v0", project.GetProperty("type").GetString());
            var env = project.GetProperty("env");
            // Each agent is a NATS user of its own; its password is a parameter reference, never a value.
            Assert.Equal(
                $"nats://{agent}:{{nats-{agent}-password.value}}@{{nats.bindings.tcp.host}}:{{nats.bindings.tcp.port}}",
                env.GetProperty("ConnectionStrings__nats").GetString());
            Assert.Equal("{multiagentdb.connectionString}", env.GetProperty("ConnectionStrings__multiagentdb").GetString());
            // The memory limit (1 GiB), for the agent's watchdog and as the GC's heap limit, is the one setting published.
            Assert.Equal(["MultiAgent__Agent__MemoryLimitBytes"], env.EnumerateObject().Select(p => p.Name).Where(n => n.StartsWith("MultiAgent__", StringComparison.Ordinal)));
            Assert.Equal("1073741824", env.GetProperty("MultiAgent__Agent__MemoryLimitBytes").GetString());
            Assert.Equal("40000000", env.GetProperty("DOTNET_GCHeapHardLimit").GetString());
        }

        // azd rejects executables: run mode's local server processes must not leak into the manifest.
        Assert.DoesNotContain(resources.EnumerateObject(), r => r.Value.GetProperty("type").GetString() == "executable.v0");
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
