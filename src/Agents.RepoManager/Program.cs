using Agents.RepoManager.Health;
using Agents.RepoManager.Projects;
using Agents.RepoManager.Queries;
using Agents.RepoManager.Registry;
using Agents.RepoManager.Workflow;
using MultiAgent.AgentRuntime;
using MultiAgent.Contracts;
using MultiAgent.Llm;
using MultiAgent.Notifications;

var builder = WebApplication.CreateBuilder(args);
builder.AddAgent(AgentType.RepoManager)
    .Handle<FeatureRequest, JobWorkflow>()
    .Handle<ImplementationResult, JobWorkflow>()
    .Handle<ReviewResult, JobWorkflow>()
    .Handle<ApprovalDecision, JobWorkflow>()
    .Handle<ProjectRequest, ProjectWorkflow>();
// The planner asks the Repo Manager's model (MultiAgent:Llm:Agents:repomanager) for a project's plan.
builder.Services.AddLlm(builder.Configuration);
builder.Services.AddJobWorkflow(builder.Configuration);
// Job events every agent stores and could not publish reach the event stream through this relay.
builder.AddEventRelay();
// Slack, Discord and email, from the event stream, for the channels MultiAgent:Notifications sets up.
builder.Services.AddNotifications(builder.Configuration);
builder.Services.Configure<AgentRegistryOptions>(builder.Configuration.GetSection(AgentRegistryOptions.SectionName));
builder.Services.AddSingleton<AgentRegistry>();
builder.Services.AddHostedService(services => services.GetRequiredService<AgentRegistry>());
// An agent type whose instances all fell silent is announced (agent.unhealthy) on the event stream.
builder.Services.AddSingleton<AgentHealthWatch>();
builder.Services.AddHostedService(services => services.GetRequiredService<AgentHealthWatch>());
builder.Services.AddSingleton<QueryResponder>();
builder.Services.AddHostedService(services => services.GetRequiredService<QueryResponder>());
builder.Services.AddHealthChecks().AddCheck<QueryApiHealthCheck>("query-api");
builder.Services.AddSingleton<DependencyMonitor>();
builder.Services.AddHostedService(services => services.GetRequiredService<DependencyMonitor>());
builder.Services.AddSingleton<CrashLoopMonitor>();
builder.Services.AddHostedService(services => services.GetRequiredService<CrashLoopMonitor>());
builder.Services.AddSingleton(TimeProvider.System);

var app = builder.Build();
// The Repo Manager is the system's front door: /health is the whole system's health (every agent, NATS, PostgreSQL),
// and this process's own readiness moves to /health/ready.
app.MapDefaultEndpoints(healthPath: "/health/ready");
app.MapSystemHealth();
app.Run();
