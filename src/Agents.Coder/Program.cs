using Agents.Coder;
using MultiAgent.AgentRuntime;
using MultiAgent.Contracts;
using MultiAgent.Repositories.GitHub;
using MultiAgent.Repositories.Local;
using MultiAgent.Repositories.Workspaces;

var builder = WebApplication.CreateBuilder(args);
builder.AddAgentHost(AgentType.Coder);
builder.Services.AddLocalGitHost(builder.Configuration);
builder.Services.AddGitHubHost(builder.Configuration);
builder.Services.AddWorkspaces(builder.Configuration);
builder.Services.AddCoder(builder.Configuration);
builder.AddAgent<CoderAgent>();

var app = builder.Build();
app.MapDefaultEndpoints();
app.Run();
