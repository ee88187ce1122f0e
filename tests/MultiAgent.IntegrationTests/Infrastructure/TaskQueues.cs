using MultiAgent.Contracts;
using NATS.Client.JetStream;

namespace MultiAgent.IntegrationTests.Infrastructure;

/// <summary>An agent type's task queue as the NATS server sees it.</summary>
public static class TaskQueues
{
    /// <summary>
    /// Waits until at least <paramref name="pulls"/> pull requests wait on <paramref name="agent"/>'s durable consumer:
    /// as many consumers are asking for tasks, so a batch published now is split among them.
    /// </summary>
    public static Task WaitForPullsAsync(INatsJSContext js, AgentType agent, int pulls, TimeSpan patience, string description) =>
        Eventually.ReturnsAsync(
            async ct => (await js.GetConsumerAsync(Subjects.TasksStream, Subjects.DurableConsumer(agent), ct)).Info.NumWaiting,
            waiting => waiting >= pulls, patience, description);
}
