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
builder.Services.AddHostedService<QueryResponder>();

var app = builder.Build();
app.MapDefaultEndpoints();
app.Run();
