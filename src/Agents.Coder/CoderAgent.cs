using MultiAgent.AgentRuntime.Tasks;
using MultiAgent.Contracts;

namespace Agents.Coder;

/// <summary>
/// The Coder: turns an ImplementationRequest into commits and a pull request. The LLM tool loop is not built yet, so
/// for now it says so and fails the task (and with it the job) instead of pretending to work.
/// </summary>
public sealed class CoderAgent(AgentServices services) : BaseAgent(services)
{
    protected override IReadOnlyCollection<string> HandledMessageTypes { get; } = [MessageTypes.ImplementationRequest];

    protected override Task<TaskResult> HandleAsync(TaskContext context, CancellationToken cancellationToken)
    {
        _ = context.Message<ImplementationRequest>();
        throw new NonRetryableTaskException("the Coder cannot implement features yet: its LLM tool loop is not built");
    }
}
