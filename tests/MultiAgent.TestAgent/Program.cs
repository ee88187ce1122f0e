using MultiAgent.AgentRuntime;
using MultiAgent.Contracts;
using MultiAgent.TestAgent;

var builder = WebApplication.CreateBuilder(args);
builder.AddAgentHost(AgentType.Coder);
builder.AddAgent<ScriptedCoderAgent>();

var app = builder.Build();
app.MapDefaultEndpoints();
app.Run();
