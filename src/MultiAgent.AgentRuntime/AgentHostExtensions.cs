using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using MultiAgent.AgentRuntime.Events;
using MultiAgent.AgentRuntime.Health;
using MultiAgent.AgentRuntime.Tasks;
using MultiAgent.Contracts;
using MultiAgent.Messaging;
using MultiAgent.Persistence;
using MultiAgent.ServiceDefaults.Nats;

namespace MultiAgent.AgentRuntime;

/// <summary>Wires an agent process: service defaults, NATS, PostgreSQL, the task bus and store, heartbeats, the task loop.</summary>
public static class AgentHostExtensions
{
    /// <summary>
    /// Makes this process an instance of <paramref name="agentType"/>: everything <see cref="AddAgentHost"/> adds, and
    /// its task loop, which dispatches each message to the handler registered for its type with
    /// <see cref="AgentBuilder.Handle{TMessage, THandler}"/> (a type without a handler is dead-lettered with the reason).
    /// </summary>
    public static AgentBuilder AddAgent(this IHostApplicationBuilder builder, AgentType agentType)
    {
        builder.AddAgentHost(agentType);
        builder.Services.AddSingleton<TaskHandlers>();
        builder.Services.AddHostedService<TaskLoop>();
        return new AgentBuilder(builder, AgentCatalogue.Of(agentType));
    }

    /// <summary>The agent process without its task loop: service defaults, NATS, PostgreSQL, the task bus and store, heartbeats.</summary>
    public static TBuilder AddAgentHost<TBuilder>(this TBuilder builder, AgentType agentType) where TBuilder : IHostApplicationBuilder
    {
        var identity = AgentIdentity.Create(agentType);
        builder.AddServiceDefaults();
        builder.AddNatsClient(ConnectionNames.Nats, settings => settings.ClientName ??= identity.InstanceId);
        var runtime = builder.Configuration.GetSection(AgentRuntimeOptions.SectionName);
        var slots = runtime.GetValue("MaxConcurrentTasks", new AgentRuntimeOptions().MaxConcurrentTasks);
        builder.AddNpgsqlDataSource(ConnectionNames.Database,
            configureDataSourceBuilder: dataSource => DatabasePool.Configure(dataSource.ConnectionStringBuilder, identity, slots));

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
        builder.Services.AddHostedService<MemoryWatchdog>();
        return builder;
    }

    /// <summary>
    /// Runs the event stream's outbox relay in this process (<see cref="EventRelay"/>, settings <c>MultiAgent:Events</c>):
    /// the Repo Manager does, for the events every agent stores.
    /// </summary>
    public static TBuilder AddEventRelay<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.Configure<EventRelayOptions>(builder.Configuration.GetSection(EventRelayOptions.SectionName));
        builder.Services.AddHostedService<EventRelay>();
        return builder;
    }
}
