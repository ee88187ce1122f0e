using Agents.Reviewer;
using MultiAgent.AgentRuntime;
using MultiAgent.Contracts;
using MultiAgent.Llm;
using MultiAgent.Repositories.GitHub;
using MultiAgent.Repositories.Local;

var builder = WebApplication.CreateBuilder(args);
builder.AddAgent(AgentType.Reviewer).Handle<ReviewRequest, ReviewHandler>();
builder.Services.AddLocalGitHost(builder.Configuration);
builder.Services.AddGitHubHost(builder.Configuration);
builder.Services.AddLlm(builder.Configuration);
builder.Services.AddReviewer(builder.Configuration);

var app = builder.Build();
app.MapDefaultEndpoints();
app.Run();
