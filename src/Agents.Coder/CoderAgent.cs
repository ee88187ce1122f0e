using MultiAgent.AgentRuntime.Tasks;
using MultiAgent.Contracts;

namespace Agents.Coder;

/// <summary>
/// The Coder: turns an ImplementationRequest into commits on the job's branch and a pull request, through the LLM tool
/// loop (<see cref="ImplementationHandler"/>), and answers the Repo Manager with an ImplementationResult.
/// </summary>
public sealed class CoderAgent(AgentServices services, ImplementationHandler handler) : BaseAgent(services)
{
    protected override IReadOnlyCollection<string> HandledMessageTypes { get; } = [MessageTypes.ImplementationRequest];

    protected override Task<TaskResult> HandleAsync(TaskContext context, CancellationToken cancellationToken) =>
        handler.HandleAsync(context, cancellationToken);
}
