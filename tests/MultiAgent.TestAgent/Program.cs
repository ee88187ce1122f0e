using MultiAgent.AgentRuntime;
using MultiAgent.Contracts;
using MultiAgent.TestAgent;

var builder = WebApplication.CreateBuilder(args);
builder.AddAgent(AgentType.Coder).Handle<ImplementationRequest, ScriptedImplementationHandler>();

var app = builder.Build();
app.MapDefaultEndpoints();
app.Run();
