using Microsoft.Extensions.Configuration;
using MultiAgent.Contracts;
using MultiAgent.Hosting.Agents;
using MultiAgent.Hosting.Join;
using MultiAgent.Hosting.Local;
using MultiAgent.Hosting.Logs;
using MultiAgent.Hosting.Nats;
using MultiAgent.Hosting.Postgres;
using MultiAgent.Hosting.Restarts;

// The whole system: NATS (JetStream) and PostgreSQL, and the three agents that meet on the bus; or, as an agent host
// (MultiAgent:Join:File), chosen agents against a running system's servers.
// Run mode starts local server processes; publish mode (--publisher manifest) describes containers for azd.
var builder = DistributedApplication.CreateBuilder(args).WithoutContainerRuntimeProbes().WithDevelopmentCertificateForDcp().WithAspirePortsBelowPortGuard();

// A published system uses the built-in server containers or servers run elsewhere (MultiAgent:Publish:Database, :Nats).
PublishedServices published;
try
{
    published = builder.ExecutionContext.IsPublishMode
        ? PublishedServices.From(builder.Configuration)
        : new PublishedServices(ServiceSource.Container, ServiceSource.Container);
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine($"MultiAgent AppHost cannot publish: {ex.Message}");
    return 1;
}

LocalInfrastructureOptions local;
IResourceBuilder<INatsServerResource>? nats = null;
IResourceBuilder<IResourceWithConnectionString> database;
IReadOnlyList<(AgentDescriptor Agent, int Replicas)> agents;
// An agent host (MultiAgent:Join:File, run mode): agents only, against the NATS and PostgreSQL of the system that wrote
// the join file; each agent's NATS password is a secret parameter of this AppHost.
JoinFile? join = null;
Dictionary<string, ParameterResource> joinPasswords = [];
try
{
    local = LocalInfrastructureOptions.From(builder.Configuration, builder.AppHostDirectory);
    agents = AgentSelection.From(builder.Configuration);
    var joinPath = builder.Configuration[JoinFile.FileSetting];
    if (builder.ExecutionContext.IsRunMode && !string.IsNullOrWhiteSpace(joinPath))
    {
        join = JoinFile.Read(joinPath);
        builder.Configuration[$"ConnectionStrings:{PublishedServices.DatabaseParameter}"] = join.Database;
        database = builder.AddConnectionString(PublishedServices.DatabaseParameter);
        if (local.ConfiguredRepositoryRoots.Count == 0)
        {
            local = local with { ConfiguredRepositoryRoots = join.LocalRepositoryRoots };
        }

        foreach (var user in agents.Select(a => a.Agent.Name).Append(NatsUsers.AppHost))
        {
            joinPasswords[user] = builder.AddParameter(
                NatsUsers.Get(user).PasswordParameterName("nats"), join.PasswordOf(user, joinPath), secret: true).Resource;
        }

        // Restarts and crash loops of this host's agents are announced on the system's event stream, naming the host
        // (its machine and data folder: two agent hosts on one machine keep apart ones).
        builder.AddRestartEvents(join.ConnectionStringFor(NatsUsers.AppHost, joinPasswords[NatsUsers.AppHost]), $"{Environment.MachineName}:{local.DataRoot}");
    }
    else
    {
        if (published.Nats == ServiceSource.Container)
        {
            // Restarts and crash loops of the agents and servers are announced on its event stream (run mode).
            nats = builder.AddNatsJetStream("nats", local).WithRestartEvents();
        }

        database = published.Database == ServiceSource.External
            ? builder.AddConnectionString(PublishedServices.DatabaseParameter)
            : builder.AddPostgresDatabase("postgres", "multiagentdb", "multiagent", local);

        // What an agent host needs to join this system: <DataRoot>/join.json (mode 0600; docs/scaling.md).
        nats?.WithJoinFile(database.Resource, local);
    }
}
catch (LocalPrerequisiteException ex)
{
    Console.Error.WriteLine($"MultiAgent AppHost cannot start: {ex.Message}");
    return 1;
}

// Local repositories must lie under the allowed roots (MultiAgent:LocalGit:AllowedRoots); the default one, the data
// folder's repos/, is made here so that it is there to put repositories in.
if (!builder.ExecutionContext.IsPublishMode && join is null && local.ConfiguredRepositoryRoots.Count == 0)
{
    Directory.CreateDirectory(local.RepositoriesDirectory);
}

// MultiAgent:StartAgents=false starts only the servers (for running an agent from an IDE, and for runtime tests).
if (!builder.Configuration.GetValue("MultiAgent:StartAgents", true))
{
    builder.Build().Run();
    return 0;
}

// A published system's secrets are secret parameters (azd asks for them and keeps them as Container Apps secrets);
// the manifest holds references only. Run mode gives the agents the same settings from the AppHost's configuration.
var secrets = builder.ExecutionContext.IsPublishMode
    ? PublishedSecrets.Wanted(builder.Configuration).Select(secret => (secret, builder.AddParameter(secret.Parameter, secret: true))).ToList()
    : [];

// Each agent type of the catalogue runs its own project. The Repo Manager's /health is the whole system's health; its
// own readiness is /health/ready (the catalogue's ReadinessPath).
foreach (var (agent, replicas) in agents)
{
    IProjectMetadata project = agent.Type switch
    {
        AgentType.Coder => new Projects.Agents_Coder(),
        AgentType.Reviewer => new Projects.Agents_Reviewer(),
        AgentType.RepoManager => new Projects.Agents_RepoManager(),
        _ => throw new InvalidOperationException($"No project runs the {agent.DisplayName}."),
    };
    // In run mode each agent runs from its build (the AppHost's build builds them), without a `dotnet run` beside it;
    // a published manifest describes projects.
    var built = builder.ExecutionContext.IsRunMode ? BuiltProject.Find(project.ProjectPath, typeof(Program).Assembly) : null;
    if (built is not null)
    {
        // An agent host's agents take any free port: the system's own may run on the same machine.
        ConfigureAgent(builder.AddBuiltProject(agent.Name, built, local.UseFixedPorts && join is null), agent);
        // More instances of the same agent (MultiAgent:Replicas:<agent>, 1 to 8): resources of their own (<agent>-2, …,
        // each restarted, logged and health-checked like the first, on a port of its own) that take tasks from the same
        // queue as competing consumers.
        for (var replica = 2; replica <= replicas; replica++)
        {
            ConfigureAgent(builder.AddBuiltProject(AgentCatalogue.ResourceName(agent, replica), built, fixedPort: false), agent);
        }
    }
    else
    {
        ConfigureAgent(builder.AddProject(agent.Name, project.ProjectPath), agent);
    }
}

builder.Build().Run();
return 0;

void ConfigureAgent<T>(IResourceBuilder<T> resource, AgentDescriptor agent)
    where T : IResourceWithEnvironment, IResourceWithWaitSupport, IResourceWithEndpoints
{
    resource
        // Agents read ConnectionStrings:nats and ConnectionStrings:multiagentdb, nothing else of the servers.
        .WithReferenceEnvironment(ReferenceEnvironmentInjectionFlags.ConnectionString)
        .WithReference(database)
        // Healthy in the dashboard (and for WaitFor) only when the agent's own /health is: NATS, PostgreSQL, its loops.
        .WithHttpHealthCheck(agent.ReadinessPath)
        // An agent that exits without being asked to is started again, unless it keeps crashing (MultiAgent:Restart).
        .WithRestartPolicy()
        // Its output goes to <DataRoot>/logs/<agent>/ too, rotated daily, kept 30 days (MultiAgent:Logs).
        .WithLogFiles(local.DataRoot)
        .WithEnvironment(context =>
        {
            // Agent settings given to the AppHost (MultiAgent:Agent, :TaskBus, :Registry, …) reach every agent: in run
            // mode all of them, with the allowed local repository roots; in a published manifest only those that are not
            // secrets (a secret is a parameter, below; published agents allow no local repository).
            var settings = context.ExecutionContext.IsPublishMode
                ? AgentSettings.Published(builder.Configuration, agent.Type)
                : AgentSettings.From(builder.Configuration, local.LocalRepositoryRoots, agent.Type);
            foreach (var (key, value) in settings)
            {
                context.EnvironmentVariables[key] = value;
            }

            // The streams keep as many copies as the cluster the AppHost started (or the joined system's) allows.
            if (context.ExecutionContext.IsRunMode)
            {
                context.EnvironmentVariables[AgentSettings.EnvironmentName(AgentSettings.StreamReplicasSetting)] =
                    (join?.StreamReplicas ?? local.StreamReplicas).ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
        });
    if (join is null)
    {
        // The joined system's database is up already (and not this AppHost's to watch).
        resource.WaitFor(database);
    }

    if (builder.ExecutionContext.IsRunMode && !local.ExportTelemetry)
    {
        // No dashboard listens: without an OTLP endpoint the agents set up no exporter (ServiceDefaults).
        resource.WithEnvironment(context => context.EnvironmentVariables.Remove("OTEL_EXPORTER_OTLP_ENDPOINT"));
    }

    // Each agent type is a NATS user of its own (its name), allowed only the subjects it needs (docs/security.md); on an
    // external server, that user's connection string is a secret parameter of its own.
    if (nats is not null)
    {
        resource.WithNatsUser(nats, user: agent.Name).WaitForNats(nats);
    }
    else if (join is not null)
    {
        resource.WithEnvironment("ConnectionStrings__nats", join.ConnectionStringFor(agent.Name, joinPasswords[agent.Name]));
    }
    else
    {
        resource.WithEnvironment("ConnectionStrings__nats", builder.AddConnectionString(PublishedServices.NatsParameter(agent.Name)));
    }

    foreach (var (secret, parameter) in secrets.Where(s => s.secret.Agents.Contains(agent.Type)))
    {
        resource.WithEnvironment(secret.EnvironmentName, parameter);
    }
}
