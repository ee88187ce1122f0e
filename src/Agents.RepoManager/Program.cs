using Agents.RepoManager;
using Agents.RepoManager.Queries;
using Agents.RepoManager.Registry;
using MultiAgent.AgentRuntime;
using MultiAgent.Contracts;

var builder = WebApplication.CreateBuilder(args);
builder.AddAgentHost(AgentType.RepoManager);
builder.AddAgent<RepoManagerAgent>();
builder.Services.Configure<AgentRegistryOptions>(builder.Configuration.GetSection(AgentRegistryOptions.SectionName));
builder.Services.AddSingleton<AgentRegistry>();
builder.Services.AddHostedService(services => services.GetRequiredService<AgentRegistry>());
builder.Services.AddSingleton<QueryResponder>();
builder.Services.AddHostedService(services => services.GetRequiredService<QueryResponder>());
builder.Services.AddHealthChecks().AddCheck<QueryApiHealthCheck>("query-api");

var app = builder.Build();
app.MapDefaultEndpoints();
app.Run();
