using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using MultiAgent.AgentRuntime.Health;
using MultiAgent.AgentRuntime.Tasks;
using MultiAgent.Contracts;
using MultiAgent.Messaging;
using MultiAgent.Persistence;
using MultiAgent.ServiceDefaults.Nats;

namespace MultiAgent.AgentRuntime;

/// <summary>Wires an agent process: service defaults, NATS, PostgreSQL, the task bus and store, heartbeats.</summary>
public static class AgentHostExtensions
{
    public static TBuilder AddAgentHost<TBuilder>(this TBuilder builder, AgentType agentType) where TBuilder : IHostApplicationBuilder
    {
        var identity = AgentIdentity.Create(agentType);
        builder.AddServiceDefaults();
        builder.AddNatsClient(ConnectionNames.Nats, settings => settings.ClientName ??= identity.InstanceId);
        builder.AddNpgsqlDataSource(ConnectionNames.Database);

        var runtime = builder.Configuration.GetSection(AgentRuntimeOptions.SectionName);
        builder.Services.Configure<AgentRuntimeOptions>(runtime);
        var grace = runtime.GetValue("ShutdownGracePeriod", new AgentRuntimeOptions().ShutdownGracePeriod);
        builder.Services.Configure<HostOptions>(options => options.ShutdownTimeout = grace + TimeSpan.FromSeconds(10));

        builder.Services.AddSingleton(identity);
        builder.Services.AddTaskBus(builder.Configuration);
        builder.Services.AddJobStore();
        builder.Services.AddSingleton<AgentMetrics>();
        builder.Services.AddSingleton<JobTimeline>();
        builder.Services.AddSingleton<AgentServices>();
        builder.Services.AddHostedService<AgentReadinessService>();
        builder.Services.AddHostedService<HeartbeatPublisher>();
        return builder;
    }

    /// <summary>Runs <typeparamref name="TAgent"/>'s task loop in this process.</summary>
    public static IHostApplicationBuilder AddAgent<TAgent>(this IHostApplicationBuilder builder) where TAgent : BaseAgent
    {
        builder.Services.AddHostedService<TAgent>();
        return builder;
    }
}
