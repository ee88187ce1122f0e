using Agents.RepoManager.Workflow;
using MultiAgent.AgentRuntime.Tasks;
using MultiAgent.Contracts;
using MultiAgent.Persistence;

namespace Agents.RepoManager;

/// <summary>
/// The Repo Manager's task loop: feature requests, the Coder's and the Reviewer's results, and people's approval
/// decisions, each handed to the <see cref="JobWorkflow"/> that moves the job on.
/// </summary>
public sealed class RepoManagerAgent(AgentServices services, JobWorkflow workflow) : BaseAgent(services)
{
    protected override IReadOnlyCollection<string> HandledMessageTypes { get; } =
        [MessageTypes.FeatureRequest, MessageTypes.ImplementationResult, MessageTypes.ReviewResult, MessageTypes.ApprovalDecision];

    protected override async Task<TaskResult> HandleAsync(TaskContext context, CancellationToken cancellationToken)
    {
        // A repository host's failure reaches the task loop as it is: it says whether it is worth another attempt.
        return context.Envelope.Type switch
        {
            MessageTypes.FeatureRequest => await workflow.StartAsync(context, context.Message<FeatureRequest>(), cancellationToken),
            MessageTypes.ImplementationResult => await workflow.ImplementedAsync(context, context.Message<ImplementationResult>(), cancellationToken),
            MessageTypes.ReviewResult => await workflow.ReviewedAsync(context, context.Message<ReviewResult>(), cancellationToken),
            _ => await workflow.DecidedAsync(context, context.Message<ApprovalDecision>(), cancellationToken),
        };
    }

    /// <summary>A pull request the Coder opened just before its job was stopped is closed, like the job's own.</summary>
    protected override async Task OnJobAlreadyEndedAsync(TaskContext context, JobRecord job, CancellationToken cancellationToken)
    {
        if (job.Status == JobStatus.Cancelled && context.Envelope.Type == MessageTypes.ImplementationResult &&
            context.Message<ImplementationResult>().PullRequestNumber is { } number)
        {
            await workflow.CloseAbandonedPullRequestAsync(job, number, "the job was stopped", cancellationToken);
        }
    }
}
