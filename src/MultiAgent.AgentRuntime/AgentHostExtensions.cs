using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using MultiAgent.Contracts;
using MultiAgent.ServiceDefaults.Nats;

namespace MultiAgent.AgentRuntime;

/// <summary>Wires an agent process: service defaults, NATS, PostgreSQL, its identity and readiness.</summary>
public static class AgentHostExtensions
{
    public static TBuilder AddAgentHost<TBuilder>(this TBuilder builder, AgentType agentType) where TBuilder : IHostApplicationBuilder
    {
        var identity = AgentIdentity.Create(agentType);
        builder.AddServiceDefaults();
        builder.AddNatsClient(ConnectionNames.Nats, settings => settings.ClientName ??= identity.InstanceId);
        builder.AddNpgsqlDataSource(ConnectionNames.Database);
        builder.Services.AddSingleton(identity);
        builder.Services.AddHostedService<AgentReadinessService>();
        return builder;
    }
}
