using Agents.Coder;
using MultiAgent.AgentRuntime;
using MultiAgent.Contracts;
using MultiAgent.Llm;
using MultiAgent.Repositories.GitHub;
using MultiAgent.Repositories.Local;
using MultiAgent.Repositories.Workspaces;

var builder = WebApplication.CreateBuilder(args);

// A coding session (MaxWallTime, 20 min) plus its checks outlasts the runtime's default task timeout of 15 min: unless
// MultiAgent:Agent:TaskTimeout says otherwise, the Coder gives a task an hour.
builder.Configuration["MultiAgent:Agent:TaskTimeout"] ??= "01:00:00";
builder.AddAgent(AgentType.Coder).Handle<ImplementationRequest, ImplementationHandler>();
builder.Services.AddLocalGitHost(builder.Configuration);
builder.Services.AddGitHubHost(builder.Configuration);
builder.Services.AddWorkspaces(builder.Configuration);
builder.Services.AddLlm(builder.Configuration);
builder.Services.AddCoder(builder.Configuration);

var app = builder.Build();
app.MapDefaultEndpoints();
app.Run();
