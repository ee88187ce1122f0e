using MultiAgent.AgentRuntime.Tasks;
using MultiAgent.Contracts;

namespace Agents.Reviewer;

/// <summary>
/// The Reviewer: reads a pull request's diff and posts a verdict. The review logic is not built yet, so for now it says
/// so and fails the task (and with it the job) instead of approving blindly.
/// </summary>
public sealed class ReviewerAgent(AgentServices services) : BaseAgent(services)
{
    protected override IReadOnlyCollection<string> HandledMessageTypes { get; } = [MessageTypes.ReviewRequest];

    protected override Task<TaskResult> HandleAsync(TaskContext context, CancellationToken cancellationToken)
    {
        _ = context.Message<ReviewRequest>();
        throw new NonRetryableTaskException("the Reviewer cannot review yet: its review logic is not built");
    }
}
