using MultiAgent.AgentRuntime;
using MultiAgent.Contracts;

var builder = WebApplication.CreateBuilder(args);
builder.AddAgentHost(AgentType.Reviewer);

var app = builder.Build();
app.MapDefaultEndpoints();
app.Run();
