using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MultiAgent.AgentRuntime.Health;
using MultiAgent.Messaging;
using MultiAgent.Persistence;
using NATS.Client.Core;

namespace MultiAgent.AgentRuntime.Tasks;

/// <summary>Everything <see cref="TaskLoop"/> works with, in one parameter.</summary>
public sealed class AgentServices(
    AgentIdentity identity,
    AgentMetrics metrics,
    INatsConnection nats,
    JetStreamTopology topology,
    TaskConsumer consumer,
    TaskPublisher publisher,
    DeadLetterPublisher deadLetters,
    JobStore jobs,
    TaskStore tasks,
    JobTimeline timeline,
    IOptions<TaskBusOptions> taskBus,
    IOptions<AgentRuntimeOptions> runtime,
    ILoggerFactory loggers)
{
    public AgentIdentity Identity { get; } = identity;
    public AgentMetrics Metrics { get; } = metrics;
    public INatsConnection Nats { get; } = nats;
    public JetStreamTopology Topology { get; } = topology;
    public TaskConsumer Consumer { get; } = consumer;
    public TaskPublisher Publisher { get; } = publisher;
    public DeadLetterPublisher DeadLetters { get; } = deadLetters;
    public JobStore Jobs { get; } = jobs;
    public TaskStore Tasks { get; } = tasks;
    public JobTimeline Timeline { get; } = timeline;
    public TaskBusOptions TaskBus { get; } = taskBus.Value;
    public AgentRuntimeOptions Runtime { get; } = runtime.Value;
    public ILogger Logger { get; } = loggers.CreateLogger($"MultiAgent.Agents.{identity.AgentType}");
}
