using MultiAgent.AgentRuntime.Tasks;
using MultiAgent.Contracts;

namespace Agents.Reviewer;

/// <summary>
/// The Reviewer: reads a pull request's diff, asks the model for a verdict (<see cref="ReviewHandler"/>), posts the
/// review on the pull request and answers the Repo Manager with a ReviewResult.
/// </summary>
public sealed class ReviewerAgent(AgentServices services, ReviewHandler handler) : BaseAgent(services)
{
    protected override IReadOnlyCollection<string> HandledMessageTypes { get; } = [MessageTypes.ReviewRequest];

    protected override Task<TaskResult> HandleAsync(TaskContext context, CancellationToken cancellationToken) =>
        handler.HandleAsync(context, cancellationToken);
}
