using Agents.Coder;
using MultiAgent.AgentRuntime;
using MultiAgent.Contracts;

var builder = WebApplication.CreateBuilder(args);
builder.AddAgentHost(AgentType.Coder);
builder.AddAgent<CoderAgent>();

var app = builder.Build();
app.MapDefaultEndpoints();
app.Run();
