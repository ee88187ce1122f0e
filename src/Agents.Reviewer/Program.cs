using Agents.Reviewer;
using MultiAgent.AgentRuntime;
using MultiAgent.Contracts;

var builder = WebApplication.CreateBuilder(args);
builder.AddAgentHost(AgentType.Reviewer);
builder.AddAgent<ReviewerAgent>();

var app = builder.Build();
app.MapDefaultEndpoints();
app.Run();
