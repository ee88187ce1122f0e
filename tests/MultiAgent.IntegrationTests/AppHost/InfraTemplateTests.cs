using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Hosting;
using MultiAgent.Contracts;
using YamlDotNet.RepresentationModel;

namespace MultiAgent.IntegrationTests.AppHost;

/// <summary>
/// The Container Apps templates azd deploys instead of generating its own (src/MultiAgent.AppHost/infra/
/// &lt;resource&gt;.tmpl.yaml): azd's generated template for each resource of the manifest, plus what the manifest cannot
/// say (probes, replica limits, container size). azd reads a template as it is, so one that falls behind the manifest
/// deploys a container without a variable, or with a secret as a plain value: these tests compare the templates with
/// the manifest the AppHost publishes now, variable by variable, the way azd's generator reads it.
/// </summary>
public sealed partial class InfraTemplateTests(InfraTemplateTests.PublishedManifest published)
    : IClassFixture<InfraTemplateTests.PublishedManifest>
{
    /// <summary>Manifest resource types azd deploys as container apps, each from a template.</summary>
    private static readonly string[] ContainerAppTypes = ["project.v0", "project.v1", "container.v0", "container.v1", "dockerfile.v0"];

    /// <summary>The variable azd adds to every container app (the managed identity's client id).</summary>
    private const string AzdClientIdVariable = "AZURE_CLIENT_ID";

    private sealed record ProbeExpectation(string Type, string? HttpPath, string Port);

    private sealed record Expectation(
        double Cpu, string Memory, int MinReplicas, int MaxReplicas, IReadOnlyList<ProbeExpectation> Probes);

    [Fact]
    public void Every_container_app_of_the_manifest_has_a_template_and_every_template_a_resource()
    {
        var deployed = published.Resources.EnumerateObject()
            .Where(r => ContainerAppTypes.Contains(r.Value.GetProperty("type").GetString()!))
            .Select(r => r.Name)
            .Order(StringComparer.Ordinal)
            .ToList();
        var templates = Directory.GetFiles(TemplateFolder, "*.tmpl.yaml")
            .Select(path => Path.GetFileName(path)[..^".tmpl.yaml".Length])
            .Order(StringComparer.Ordinal)
            .ToList();

        Assert.Equal(new[] { "coder", "nats", "postgres", "repomanager", "reviewer" }, deployed);
        Assert.Equal(deployed, templates);
        foreach (var name in deployed)
        {
            var template = Template.Load(name);
            Assert.Equal(name, template.Text(template.Root, "tags", "azd-service-name"));
            Assert.Equal(name, template.Text(template.Root, "tags", "aspire-resource-name"));
            Assert.Equal(name, template.Text(template.Container, "name"));
            Assert.Equal("{{ .Image }}", template.Text(template.Container, "image"));
        }
    }

    [Fact]
    public void Templates_set_every_variable_of_the_manifest_to_the_value_azd_gives_it_and_no_other()
    {
        foreach (var (name, resource) in DeployedResources())
        {
            var template = Template.Load(name);
            var manifestEnv = ManifestVariables(resource);
            var templateEnv = template.Variables();

            // azd adds the managed identity's client id; every other variable comes from the manifest.
            Assert.Equal("{{ .Env.MANAGED_IDENTITY_CLIENT_ID }}", templateEnv[AzdClientIdVariable].Value);
            Assert.Equal(
                manifestEnv.Keys.Order(StringComparer.Ordinal),
                templateEnv.Keys.Where(k => k != AzdClientIdVariable).Order(StringComparer.Ordinal));

            var secrets = template.Secrets();
            foreach (var (variable, manifestValue) in manifestEnv)
            {
                var expected = AzdExpression.Evaluate(manifestValue, published.Resources);
                var entry = templateEnv[variable];
                if (AzdExpression.IsSecret(variable, manifestValue, expected))
                {
                    Assert.True(entry.SecretRef is not null && entry.Value is null, $"{name}: {variable} must be a secretRef (azd keeps it as a secret).");
                    Assert.True(secrets.TryGetValue(entry.SecretRef, out var secretValue), $"{name}: {variable} refers to the missing secret '{entry.SecretRef}'.");
                    Assert.Equal(expected, secretValue);
                }
                else
                {
                    Assert.True(entry.SecretRef is null, $"{name}: {variable} is no secret in the manifest; azd gives it as a value.");
                    Assert.Equal(expected, entry.Value);
                }
            }

            // No secret is left that no variable uses (a variable removed from the manifest, its secret forgotten).
            Assert.Equal(
                secrets.Keys.Order(StringComparer.Ordinal),
                templateEnv.Values.Where(e => e.SecretRef is not null).Select(e => e.SecretRef!).Order(StringComparer.Ordinal));
        }
    }

    [Fact]
    public void Secret_parameters_reach_the_containers_only_as_container_app_secrets()
    {
        var checkedReferences = 0;
        foreach (var (name, resource) in DeployedResources())
        {
            var template = Template.Load(name);
            var templateEnv = template.Variables();
            var secrets = template.Secrets();

            // No plain value may carry a secret parameter: Container Apps would show it to anyone who may read the app.
            foreach (var (_, entry) in templateEnv)
            {
                Assert.DoesNotContain("securedParameter", entry.Value ?? "", StringComparison.Ordinal);
                Assert.DoesNotContain("secretOutput", entry.Value ?? "", StringComparison.Ordinal);
            }

            foreach (var (variable, manifestValue) in ManifestVariables(resource))
            {
                foreach (var parameter in AzdExpression.SecretParameters(manifestValue, published.Resources))
                {
                    var entry = templateEnv[variable];
                    Assert.True(entry.SecretRef is not null, $"{name}: {variable} holds the secret parameter '{parameter}' and must be a secretRef.");
                    Assert.Contains($"{{{{ securedParameter \"{parameter.Replace('-', '_')}\" }}}}", secrets[entry.SecretRef!], StringComparison.Ordinal);
                    checkedReferences++;
                }
            }
        }

        // The NATS users' passwords, the database password (through the database's connection string), the LLM key
        // and the GitHub token: the test must have seen them, or it checked nothing.
        Assert.True(checkedReferences >= 7 + 1 + 3 * 3, $"only {checkedReferences} references to secret parameters were found");
    }

    [Fact]
    public void Containers_keep_the_manifests_image_command_arguments_volumes_and_ports()
    {
        foreach (var (name, resource) in DeployedResources())
        {
            var template = Template.Load(name);
            var ingress = template.Node(template.Root, "properties", "configuration", "ingress");
            var bindings = resource.TryGetProperty("bindings", out var b) ? b.EnumerateObject().ToList() : [];

            if (resource.GetProperty("type").GetString() == "project.v0")
            {
                // A project listens where its image says (azd reads the port from the image it builds): the ingress's
                // target port is azd's expression for it, inside the environment only (no binding is external).
                Assert.All(bindings, binding => Assert.False(binding.Value.TryGetProperty("external", out var e) && e.GetBoolean()));
                Assert.Equal("{{ targetPortOrDefault 8080 }}", template.Text(ingress, "targetPort"));
                Assert.Equal("http", template.Text(ingress, "transport"));
                Assert.Equal("false", template.Text(ingress, "external"));
                Assert.Null(template.Find(template.Container, "args"));
                continue;
            }

            // Command and arguments as the manifest has them (azd: the entrypoint is the command).
            var args = resource.TryGetProperty("args", out var a) ? a.EnumerateArray().Select(x => x.GetString()!).ToList() : [];
            if (args.Count == 0)
            {
                Assert.Null(template.Find(template.Container, "args"));
            }
            else
            {
                Assert.Equal(args.Select(x => AzdExpression.Evaluate(x, published.Resources)), template.Texts(template.Container, "args"));
            }

            if (resource.TryGetProperty("entrypoint", out var entrypoint))
            {
                Assert.Equal(new[] { entrypoint.GetString()! }, template.Texts(template.Container, "command"));
            }

            // Each named volume is an Azure Files share (azd names it and outputs its storage) mounted at the same path.
            var volumes = resource.TryGetProperty("volumes", out var v) ? v.EnumerateArray().ToList() : [];
            var templateVolumes = template.Sequence(template.Root, "properties", "template", "volumes").Cast<YamlMappingNode>().ToList();
            var mounts = template.Sequence(template.Container, "volumeMounts").Cast<YamlMappingNode>().ToList();
            Assert.Equal(volumes.Count, templateVolumes.Count);
            foreach (var volume in volumes)
            {
                var volumeName = volume.GetProperty("name").GetString()!;
                var bare = volumeName.Replace(".", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal);
                var azdName = $"{name.ToLowerInvariant()}-{bare.ToLowerInvariant()}";
                var share = Assert.Single(templateVolumes, tv => template.Text(tv, "name") == azdName);
                Assert.Equal("AzureFile", template.Text(share, "storageType"));
                Assert.Equal($"{{{{ .Env.SERVICE_{name.ToUpperInvariant()}_VOLUME_{bare.ToUpperInvariant()}_NAME }}}}", template.Text(share, "storageName"));
                var mount = Assert.Single(mounts, m => template.Text(m, "volumeName") == azdName);
                Assert.Equal(volume.GetProperty("target").GetString(), template.Text(mount, "mountPath"));
            }

            // Every port the server listens on is reachable in the environment (the main ingress or an additional
            // mapping, which are internal); the one external binding (the NATS WebSocket listener) is the main
            // ingress, HTTP, behind Container Apps' HTTPS.
            var ports = bindings.Select(binding => binding.Value.GetProperty("targetPort").GetInt32().ToString(CultureInfo.InvariantCulture)).ToHashSet();
            var additional = template.Find(ingress, "additionalPortMappings") is YamlSequenceNode mappings
                ? mappings.Cast<YamlMappingNode>().ToList()
                : [];
            Assert.Equal(
                ports.Order(StringComparer.Ordinal),
                additional.Select(m => template.Text(m, "targetPort")).Append(template.Text(ingress, "targetPort")).Order(StringComparer.Ordinal));
            Assert.All(additional, m => Assert.Equal("false", template.Text(m, "external")));
            var external = bindings.Where(binding => binding.Value.TryGetProperty("external", out var e) && e.GetBoolean()).ToList();
            if (external.Count > 0)
            {
                var binding = Assert.Single(external).Value;
                Assert.Equal("true", template.Text(ingress, "external"));
                Assert.Equal(binding.GetProperty("targetPort").GetInt32().ToString(CultureInfo.InvariantCulture), template.Text(ingress, "targetPort"));
                Assert.Equal("http", template.Text(ingress, "transport"));
                Assert.Equal("false", template.Text(ingress, "allowInsecure"));
            }
            else
            {
                Assert.Equal("false", template.Text(ingress, "external"));
                Assert.Equal(
                    bindings.All(binding => binding.Value.GetProperty("scheme").GetString() == "tcp") ? "tcp" : "http",
                    template.Text(ingress, "transport"));
            }
        }
    }

    [Fact]
    public void Templates_set_probes_replica_limits_and_container_size()
    {
        var nats = published.Resources.GetProperty("nats").GetProperty("bindings");
        var monitorPort = nats.GetProperty("monitor").GetProperty("targetPort").GetInt32().ToString(CultureInfo.InvariantCulture);
        var postgresPort = published.Resources.GetProperty("postgres").GetProperty("bindings").GetProperty("tcp").GetProperty("targetPort")
            .GetInt32().ToString(CultureInfo.InvariantCulture);
        // An agent's probes go to the port its ingress sends requests to: azd's expression for the image's port.
        const string agentPort = "{{ targetPortOrDefault 8080 }}";

        var expectations = new Dictionary<string, Expectation>
        {
            // The monitor endpoint: the server runs with JetStream (liveness); its streams are recovered too (readiness).
            ["nats"] = new(0.5, "1Gi", 1, 1,
            [
                new("Startup", "/healthz?js-enabled-only=true", monitorPort),
                new("Liveness", "/healthz?js-enabled-only=true", monitorPort),
                new("Readiness", "/healthz", monitorPort),
            ]),
            ["postgres"] = new(1.0, "2Gi", 1, 1,
            [
                new("Startup", null, postgresPort),
                new("Liveness", null, postgresPort),
                new("Readiness", null, postgresPort),
            ]),
        };
        foreach (var agent in AgentCatalogue.All)
        {
            expectations[agent.Name] = new(1.0, "2Gi", 1, agent.Type == AgentType.Coder ? 4 : 1,
            [
                new("Startup", ServiceDefaultsExtensions.AlivenessEndpointPath, agentPort),
                new("Liveness", ServiceDefaultsExtensions.AlivenessEndpointPath, agentPort),
                // The Repo Manager's own readiness, not its /health (the whole system's health).
                new("Readiness", agent.ReadinessPath, agentPort),
            ]);
        }

        Assert.Equal("/health/ready", AgentCatalogue.Of(AgentType.RepoManager).ReadinessPath);
        Assert.Equal(expectations.Keys.Order(StringComparer.Ordinal), DeployedResources().Select(r => r.Name).Order(StringComparer.Ordinal));
        foreach (var (name, expected) in expectations)
        {
            var template = Template.Load(name);

            var resources = template.Node(template.Container, "resources");
            var cpu = double.Parse(template.Text(resources, "cpu"), CultureInfo.InvariantCulture);
            Assert.Equal(expected.Cpu, cpu);
            Assert.Equal(expected.Memory, template.Text(resources, "memory"));
            // Container Apps takes only these pairs: 0.25 CPU with 0.5Gi, 0.5 with 1Gi, … 4 with 8Gi.
            Assert.Equal($"{(cpu * 2).ToString(CultureInfo.InvariantCulture)}Gi", template.Text(resources, "memory"));

            var scale = template.Node(template.Root, "properties", "template", "scale");
            Assert.Equal(expected.MinReplicas.ToString(CultureInfo.InvariantCulture), template.Text(scale, "minReplicas"));
            Assert.Equal(expected.MaxReplicas.ToString(CultureInfo.InvariantCulture), template.Text(scale, "maxReplicas"));

            var probes = template.Sequence(template.Container, "probes").Cast<YamlMappingNode>().ToList();
            Assert.Equal(expected.Probes.Select(p => p.Type), probes.Select(p => template.Text(p, "type")));
            foreach (var (probe, want) in probes.Zip(expected.Probes))
            {
                if (want.HttpPath is { } path)
                {
                    Assert.Null(template.Find(probe, "tcpSocket"));
                    Assert.Equal(path, template.Text(probe, "httpGet", "path"));
                    Assert.Equal(want.Port, template.Text(probe, "httpGet", "port"));
                }
                else
                {
                    Assert.Null(template.Find(probe, "httpGet"));
                    Assert.Equal(want.Port, template.Text(probe, "tcpSocket", "port"));
                }

                // The ranges Container Apps accepts (it rejects the revision otherwise).
                var initialDelay = template.Integer(probe, "initialDelaySeconds");
                var period = template.Integer(probe, "periodSeconds");
                var timeout = template.Integer(probe, "timeoutSeconds");
                var failures = template.Integer(probe, "failureThreshold");
                Assert.InRange(initialDelay, 1, 60);
                Assert.InRange(period, 1, 240);
                Assert.InRange(timeout, 1, period);
                Assert.InRange(failures, 1, 10);
                Assert.Null(template.Find(probe, "successThreshold"));

                // Starting takes an agent 10-20 s, and more on a busy node or a new volume: about two minutes is allowed
                // before the container is restarted.
                if (want.Type == "Startup")
                {
                    Assert.InRange(initialDelay + (period * failures), 100, 240);
                }
            }
        }
    }

    [Fact]
    public void Templates_use_only_what_azds_deploy_step_can_fill_in()
    {
        foreach (var (name, _) in DeployedResources())
        {
            var text = File.ReadAllText(Path.Combine(TemplateFolder, $"{name}.tmpl.yaml"));
            foreach (Match action in GoTemplateAction().Matches(text))
            {
                Assert.Matches(AllowedAction(), action.Value);
            }

            // Nothing azd's Go template would misread: every '{{' opens one of the actions above.
            var rest = GoTemplateAction().Replace(text, "");
            Assert.DoesNotContain("{{", rest, StringComparison.Ordinal);
            Assert.DoesNotContain("}}", rest, StringComparison.Ordinal);
        }
    }

    private IEnumerable<(string Name, JsonElement Resource)> DeployedResources() =>
        published.Resources.EnumerateObject()
            .Where(r => ContainerAppTypes.Contains(r.Value.GetProperty("type").GetString()!))
            .Select(r => (r.Name, r.Value));

    private static Dictionary<string, string> ManifestVariables(JsonElement resource) =>
        resource.TryGetProperty("env", out var env)
            ? env.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!)
            : [];

    private static string TemplateFolder
    {
        get
        {
            var path = Projects.MultiAgent_AppHost.ProjectPath;
            var folder = File.Exists(path) ? Path.GetDirectoryName(path)! : path;
            return Path.Combine(folder, "infra");
        }
    }

    /// <summary>The Go template actions of azd's templates ({{ … }}).</summary>
    [GeneratedRegex(@"\{\{.*?\}\}", RegexOptions.Singleline)]
    private static partial Regex GoTemplateAction();

    /// <summary>
    /// Actions azd's deploy step fills in: the azd environment's values, the image it pushed, a parameter azd asked for
    /// at provision, the port of the image.
    /// </summary>
    [GeneratedRegex("""^\{\{ (\.Env\.[A-Z0-9_]+|\.Image|(securedParameter|parameter) "[a-z0-9_]+"|targetPortOrDefault [0-9]+) \}\}$""")]
    private static partial Regex AllowedAction();

    /// <summary>A template as azd's deploy step reads it: its Go template actions stand in for values, then YAML.</summary>
    private sealed class Template
    {
        private readonly Dictionary<string, string> _actions = [];

        private Template(string text)
        {
            // Each action becomes a token that is plain YAML anywhere, and goes back when a value is read.
            var rendered = GoTemplateAction().Replace(text, action =>
            {
                var token = $"GOTEMPLATEACTION{_actions.Count}X";
                _actions[token] = action.Value;
                return token;
            });
            var stream = new YamlStream();
            stream.Load(new StringReader(rendered));
            Root = (YamlMappingNode)stream.Documents.Single().RootNode;
            Container = (YamlMappingNode)Assert.Single(Sequence(Root, "properties", "template", "containers"));
        }

        public YamlMappingNode Root { get; }

        public YamlMappingNode Container { get; }

        public static Template Load(string resource)
        {
            var path = Path.Combine(TemplateFolder, $"{resource}.tmpl.yaml");
            Assert.True(File.Exists(path), $"{path} is missing: azd would deploy '{resource}' from its own template, without probes or limits.");
            return new Template(File.ReadAllText(path));
        }

        public YamlNode? Find(YamlNode node, params string[] path)
        {
            foreach (var key in path)
            {
                if (node is not YamlMappingNode mapping || !mapping.Children.TryGetValue(new YamlScalarNode(key), out var child))
                {
                    return null;
                }

                node = child;
            }

            return node;
        }

        public YamlNode Node(YamlNode node, params string[] path) =>
            Find(node, path) ?? throw new Xunit.Sdk.XunitException($"The template has no {string.Join('.', path)}.");

        public string Text(YamlNode node, params string[] path) => Value((YamlScalarNode)Node(node, path));

        public int Integer(YamlNode node, params string[] path) => int.Parse(Text(node, path), CultureInfo.InvariantCulture);

        public YamlSequenceNode Sequence(YamlNode node, params string[] path) => (YamlSequenceNode)Node(node, path);

        public List<string> Texts(YamlNode node, params string[] path) =>
            [.. Sequence(node, path).Select(item => Value((YamlScalarNode)item))];

        /// <summary>The container's variables by name: each a value or a secretRef.</summary>
        public Dictionary<string, (string? Value, string? SecretRef)> Variables()
        {
            var result = new Dictionary<string, (string? Value, string? SecretRef)>();
            foreach (var entry in Sequence(Container, "env").Cast<YamlMappingNode>())
            {
                var name = Text(entry, "name");
                Assert.True(result.TryAdd(name, (Find(entry, "value") is YamlScalarNode v ? Value(v) : null, Find(entry, "secretRef") is YamlScalarNode s ? Value(s) : null)), $"{name} is set twice");
            }

            return result;
        }

        /// <summary>The container app's secrets by name.</summary>
        public Dictionary<string, string> Secrets() =>
            Find(Root, "properties", "configuration", "secrets") is YamlSequenceNode secrets
                ? secrets.Cast<YamlMappingNode>().ToDictionary(s => Text(s, "name"), s => Text(s, "value"))
                : [];

        private string Value(YamlScalarNode scalar)
        {
            var value = new StringBuilder(scalar.Value ?? "");
            foreach (var (token, action) in _actions.OrderByDescending(a => a.Key.Length))
            {
                value.Replace(token, action);
            }

            return value.ToString();
        }
    }

    /// <summary>
    /// What azd's generator (Azure/azure-dev, cli/azd/pkg/apphost: generate.go evalBindingRef and buildEnvBlock) makes of
    /// a manifest value, for the expressions this AppHost's manifest uses. An expression it does not know fails the test:
    /// see what azd makes of it (azd infra synth), then teach it here.
    /// </summary>
    private static class AzdExpression
    {
        public static string Evaluate(string value, JsonElement resources) => Walk(value, resources, _ => { });

        /// <summary>The secret parameters a value holds, through connection strings that hold others.</summary>
        public static HashSet<string> SecretParameters(string value, JsonElement resources)
        {
            var found = new HashSet<string>(StringComparer.Ordinal);
            Walk(value, resources, parameter => found.Add(parameter));
            return found;
        }

        /// <summary>azd's rule for a variable that becomes a Container Apps secret.</summary>
        public static bool IsSecret(string name, string manifestValue, string evaluated) =>
            name.Contains("ConnectionStrings__", StringComparison.Ordinal)
            || manifestValue.Contains(".connectionString}", StringComparison.Ordinal)
            || evaluated.Contains("{{ securedParameter ", StringComparison.Ordinal);

        private static string Walk(string value, JsonElement resources, Action<string> secretParameter)
        {
            var result = new StringBuilder();
            for (var i = 0; i < value.Length; i++)
            {
                switch (value[i])
                {
                    case '{' when i + 1 < value.Length && value[i + 1] == '{':
                        result.Append('{');
                        i++;
                        break;
                    case '}' when i + 1 < value.Length && value[i + 1] == '}':
                        result.Append('}');
                        i++;
                        break;
                    case '{':
                        var end = value.IndexOf('}', i);
                        Assert.True(end > i, $"unclosed '{{' in '{value}'");
                        result.Append(Reference(value[(i + 1)..end], resources, secretParameter));
                        i = end;
                        break;
                    case '}':
                        throw new Xunit.Sdk.XunitException($"unexpected '}}' in '{value}'");
                    default:
                        result.Append(value[i]);
                        break;
                }
            }

            return result.ToString();
        }

        private static string Reference(string expression, JsonElement resources, Action<string> secretParameter)
        {
            var parts = expression.Split('.');
            if (!resources.TryGetProperty(parts[0], out var resource))
            {
                throw new Xunit.Sdk.XunitException($"azd stops at '{{{expression}}}': no resource '{parts[0]}' in the manifest.");
            }

            var type = resource.GetProperty("type").GetString()!;
            switch (parts[1..])
            {
                case ["connectionString"] when resource.TryGetProperty("connectionString", out var connectionString):
                    return Walk(connectionString.GetString()!, resources, secretParameter);
                case ["value"] when type == "parameter.v0":
                    var input = resource.GetProperty("inputs").GetProperty("value");
                    var name = parts[0].Replace('-', '_');
                    if (input.TryGetProperty("secret", out var secret) && secret.GetBoolean())
                    {
                        secretParameter(parts[0]);
                        return $"{{{{ securedParameter \"{name}\" }}}}";
                    }

                    return input.TryGetProperty("default", out var d) && d.TryGetProperty("value", out var defaultValue)
                        ? $"{{{{ parameterWithDefault \"{name}\" \"{defaultValue.GetString()}\"}}}}"
                        : $"{{{{ parameter \"{name}\" }}}}";
                case ["value"] when type == "value.v0" && resource.TryGetProperty("value", out var plain):
                    return Walk(plain.GetString()!, resources, secretParameter);
                case ["bindings", var bindingName, var property] when ContainerAppTypes.Contains(type):
                    var binding = resource.GetProperty("bindings").GetProperty(bindingName);
                    int? targetPort = binding.TryGetProperty("targetPort", out var t) ? t.GetInt32() : null;
                    int? port = binding.TryGetProperty("port", out var p) ? p.GetInt32() : null;
                    // azd resolves a TCP binding to the container app's name and its port; an HTTP binding depends on
                    // which binding is the main ingress (aca_ingress.go), which this manifest does not reference.
                    var tcp = binding.GetProperty("scheme").GetString() == "tcp";
                    return property switch
                    {
                        "targetPort" => targetPort?.ToString(CultureInfo.InvariantCulture) ?? "{{ targetPortOrDefault 0 }}",
                        "host" when tcp => parts[0],
                        "port" when tcp => (port ?? targetPort)?.ToString(CultureInfo.InvariantCulture)
                            ?? throw new Xunit.Sdk.XunitException($"'{expression}': a TCP binding without a port"),
                        _ => throw new Xunit.Sdk.XunitException($"'{{{expression}}}' is new to this test: see what azd makes of it."),
                    };
                default:
                    throw new Xunit.Sdk.XunitException($"'{{{expression}}}' is new to this test: see what azd makes of it.");
            }
        }
    }

    /// <summary>The manifest the AppHost publishes for azd (the command azd runs), once for these tests.</summary>
    public sealed class PublishedManifest : IAsyncLifetime
    {
        private readonly string _folder = Directory.CreateTempSubdirectory("multiagent-infra-").FullName;
        private JsonDocument? _manifest;

        public JsonElement Resources => _manifest!.RootElement.GetProperty("resources");

        public async Task InitializeAsync()
        {
            var path = Path.Combine(_folder, "aspire-manifest.json");
            var run = await AppHostProcess.RunAsync(["--publisher", "manifest", "--output-path", path], asAzd: true);
            Assert.True(run.ExitCode == 0, run.Output);
            _manifest = JsonDocument.Parse(await File.ReadAllTextAsync(path));
        }

        public Task DisposeAsync()
        {
            _manifest?.Dispose();
            Directory.Delete(_folder, recursive: true);
            return Task.CompletedTask;
        }
    }
}
