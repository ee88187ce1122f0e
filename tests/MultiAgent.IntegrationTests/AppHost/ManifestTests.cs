using System.Text.Json;

namespace MultiAgent.IntegrationTests.AppHost;

/// <summary>The manifest azd deploys to Azure Container Apps: containers for the servers, projects for the agents.</summary>
public sealed class ManifestTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("multiagent-manifest-").FullName;

    [Fact]
    public async Task Publisher_writes_containers_for_nats_and_postgres_projects_bound_to_both_and_secrets_as_parameters()
    {
        var path = Path.Combine(_folder, "aspire-manifest.json");

        // Settings given to the AppHost: secrets must never land in a manifest (they become parameters); the others are
        // published as values. A channel given any setting is published with its secret as a parameter.
        var run = await AppHostProcess.RunAsync(
        [
            "--publisher", "manifest", "--output-path", path,
            "--MultiAgent:GitHub:Token=ghp_not_for_the_manifest",
            "--MultiAgent:Llm:ApiKey=sk-not-for-the-manifest",
            "--MultiAgent:Llm:Model=gpt-test",
            "--MultiAgent:TaskBus:MaxAttempts=7",
            "--MultiAgent:Notifications:Slack:WebhookUrl=https://hooks.slack.com/services/T0/B0/not-for-the-manifest",
            "--MultiAgent:Notifications:Slack:MinLevel=Warning",
        ], asAzd: true);

        Assert.True(run.ExitCode == 0, run.Output);
        var text = await File.ReadAllTextAsync(path);
        Assert.DoesNotContain("not_for_the_manifest", text);
        Assert.DoesNotContain("not-for-the-manifest", text);
        using var manifest = JsonDocument.Parse(text);
        var resources = manifest.RootElement.GetProperty("resources");

        // Secrets are secret parameters azd asks for (no default, nothing generated); channels not configured have none.
        foreach (var name in new[] { "llm-api-key", "github-token", "slack-webhook-url" })
        {
            var parameter = resources.GetProperty(name);
            Assert.Equal("parameter.v0", parameter.GetProperty("type").GetString());
            var input = parameter.GetProperty("inputs").GetProperty("value");
            Assert.True(input.GetProperty("secret").GetBoolean());
            Assert.False(input.TryGetProperty("default", out _));
        }

        Assert.False(resources.TryGetProperty("discord-webhook-url", out _));
        Assert.False(resources.TryGetProperty("smtp-password", out _));

        var nats = resources.GetProperty("nats");
        Assert.Equal("container.v0", nats.GetProperty("type").GetString());
        Assert.StartsWith("docker.io/nats:", nats.GetProperty("image").GetString());
        Assert.Contains("--jetstream", nats.GetProperty("args").EnumerateArray().Select(a => a.GetString()));
        Assert.Equal("/data", Assert.Single(nats.GetProperty("volumes").EnumerateArray()).GetProperty("target").GetString());
        // The client port stays internal; the WebSocket listener is the one way in from outside (behind HTTPS ingress).
        var bindings = nats.GetProperty("bindings");
        Assert.Equal(4222, bindings.GetProperty("tcp").GetProperty("targetPort").GetInt32());
        Assert.False(bindings.GetProperty("tcp").TryGetProperty("external", out var tcpExternal) && tcpExternal.GetBoolean());
        Assert.False(bindings.GetProperty("monitor").TryGetProperty("external", out var monitorExternal) && monitorExternal.GetBoolean());
        var ws = bindings.GetProperty("ws");
        Assert.Equal(("http", 8080, true), (ws.GetProperty("scheme").GetString(), ws.GetProperty("targetPort").GetInt32(), ws.GetProperty("external").GetBoolean()));

        // The server's configuration travels as a value with no secret in it, base64-encoded (azd would read its braces
        // as expressions, and no brace may be left in it); passwords are generated secret parameters.
        var natsEnv = nats.GetProperty("env");
        var encoded = natsEnv.GetProperty("NATS_CONFIG_BASE64").GetString()!;
        Assert.DoesNotContain('{', encoded);
        var config = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(encoded));
        Assert.Contains("websocket {\n  port: 8080\n  no_tls: true\n}", config, StringComparison.Ordinal);
        Assert.Contains("base64 -d > /tmp/nats-server.conf", string.Join(' ', nats.GetProperty("args").EnumerateArray().Select(a => a.GetString())), StringComparison.Ordinal);
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
        // Volumes have fixed names (not derived from the AppHost's path), so every checkout publishes the same ones.
        Assert.Equal("postgres-data", Assert.Single(postgres.GetProperty("volumes").EnumerateArray()).GetProperty("name").GetString());
        Assert.Equal("nats-data", Assert.Single(nats.GetProperty("volumes").EnumerateArray()).GetProperty("name").GetString());

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
            // Settings as values, secrets as parameter references, each to the agents that use it; the memory limit
            // (1 GiB) for the agent's watchdog and as the GC's heap limit.
            var expected = new Dictionary<string, string>
            {
                ["MultiAgent__Llm__Model"] = "gpt-test",
                ["MultiAgent__TaskBus__MaxAttempts"] = "7",
                ["MultiAgent__GitHub__Token"] = "{github-token.value}",
                ["MultiAgent__Agent__MemoryLimitBytes"] = "1073741824",

                // Every agent talks to a model: the Coder and the Reviewer, and the Repo Manager's project planner.
                ["MultiAgent__Llm__ApiKey"] = "{llm-api-key.value}",
            };

            if (agent == "repomanager")
            {
                expected["MultiAgent__Notifications__Slack__MinLevel"] = "Warning";
                expected["MultiAgent__Notifications__Slack__WebhookUrl"] = "{slack-webhook-url.value}";
            }

            Assert.Equal(
                expected.OrderBy(p => p.Key, StringComparer.Ordinal),
                env.EnumerateObject().Where(p => p.Name.StartsWith("MultiAgent__", StringComparison.Ordinal))
                    .Select(p => KeyValuePair.Create(p.Name, p.Value.GetString()!)).OrderBy(p => p.Key, StringComparer.Ordinal));
            Assert.Equal("40000000", env.GetProperty("DOTNET_GCHeapHardLimit").GetString());
            Assert.Equal("0", env.GetProperty("DOTNET_TC_CallCounting").GetString());
        }

        // azd rejects executables: run mode's local server processes must not leak into the manifest.
        Assert.DoesNotContain(resources.EnumerateObject(), r => r.Value.GetProperty("type").GetString() == "executable.v0");
    }

    [Fact]
    public async Task Publisher_with_external_servers_describes_no_server_container_and_asks_for_their_connection_strings()
    {
        var path = Path.Combine(_folder, "aspire-manifest.json");

        // The production path: Azure Database for PostgreSQL and a NATS run elsewhere (a cluster: three copies of each
        // stream), given as connection strings.
        var run = await AppHostProcess.RunAsync(
            ["--publisher", "manifest", "--output-path", path, "--MultiAgent:Publish:Database=external", "--MultiAgent:Publish:Nats=External",
             "--MultiAgent:TaskBus:StreamReplicas=3"], asAzd: true);

        Assert.True(run.ExitCode == 0, run.Output);
        using var manifest = JsonDocument.Parse(await File.ReadAllTextAsync(path));
        var resources = manifest.RootElement.GetProperty("resources");
        Assert.DoesNotContain(resources.EnumerateObject(), r => r.Value.GetProperty("type").GetString() == "container.v0");
        Assert.DoesNotContain(resources.EnumerateObject(), r => r.Name.StartsWith("nats-", StringComparison.Ordinal) && r.Name.EndsWith("-password", StringComparison.Ordinal));

        // Each connection string is a secret parameter with no default: azd asks for it, Container Apps keeps it secret.
        var agents = MultiAgent.Contracts.AgentCatalogue.All.Select(a => a.Name).ToList();
        foreach (var name in agents.Select(agent => $"nats-{agent}").Append("multiagentdb"))
        {
            var parameter = resources.GetProperty(name);
            Assert.Equal("parameter.v0", parameter.GetProperty("type").GetString());
            Assert.Equal($"{{{name}.value}}", parameter.GetProperty("connectionString").GetString());
            var input = parameter.GetProperty("inputs").GetProperty("value");
            Assert.True(input.GetProperty("secret").GetBoolean());
            Assert.False(input.TryGetProperty("default", out _));
        }

        // Each agent connects as its own NATS user (its own connection string) and to the one database.
        foreach (var agent in agents)
        {
            var env = resources.GetProperty(agent).GetProperty("env");
            Assert.Equal($"{{nats-{agent}.connectionString}}", env.GetProperty("ConnectionStrings__nats").GetString());
            Assert.Equal("{multiagentdb.connectionString}", env.GetProperty("ConnectionStrings__multiagentdb").GetString());
            Assert.Equal("3", env.GetProperty("MultiAgent__TaskBus__StreamReplicas").GetString());
        }
    }

    [Fact]
    public async Task Publisher_refuses_a_server_choice_it_does_not_know_and_says_which()
    {
        var run = await AppHostProcess.RunAsync(
            ["--publisher", "manifest", "--output-path", Path.Combine(_folder, "aspire-manifest.json"), "--MultiAgent:Publish:Database=managed"], asAzd: true);

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("MultiAgent:Publish:Database is 'managed'; it must be 'container'", run.Output, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_folder, "aspire-manifest.json")));
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
