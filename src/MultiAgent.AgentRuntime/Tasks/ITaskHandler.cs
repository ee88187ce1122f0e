using MultiAgent.Persistence;

namespace MultiAgent.AgentRuntime.Tasks;

/// <summary>
/// Does an agent's work for one message type (registered with <see cref="AgentBuilder.Handle{TMessage, THandler}"/>).
/// Throw <see cref="RetryableTaskException"/> or <see cref="NonRetryableTaskException"/> to say whether another attempt
/// could help; anything else is classified by <see cref="FailureClassifier"/>.
/// </summary>
/// <typeparam name="TMessage">The message (a contract type with a name in <c>MessageTypes</c>).</typeparam>
public interface ITaskHandler<in TMessage>
    where TMessage : class
{
    Task<TaskResult> HandleAsync(TaskContext context, TMessage message, CancellationToken cancellationToken);
}

/// <summary>
/// Optionally implemented by a handler: told of a message whose job had already ended (completed, failed or cancelled)
/// when it arrived, to tidy up what the message reports (e.g. a pull request opened just before the job was stopped).
/// The task is then recorded CANCELLED without running. A failure here leaves the task for redelivery.
/// </summary>
public interface IEndedJobHandler<in TMessage>
    where TMessage : class
{
    Task OnJobAlreadyEndedAsync(TaskContext context, TMessage message, JobRecord job, CancellationToken cancellationToken);
}
