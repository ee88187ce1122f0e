using System.Collections.Frozen;
using Microsoft.Extensions.DependencyInjection;
using MultiAgent.Contracts;
using MultiAgent.Persistence;

namespace MultiAgent.AgentRuntime.Tasks;

/// <summary>One message type's handler, as <see cref="AgentBuilder.Handle{TMessage, THandler}"/> registers it.</summary>
/// <param name="MessageType">The message type name (<see cref="TaskEnvelope.Type"/>).</param>
/// <param name="Handle">Reads the task's message and runs the handler resolved from the services.</param>
/// <param name="JobAlreadyEnded">Tells the handler of a task whose job had ended, if it wants to know; else null.</param>
public sealed record TaskHandlerRegistration(
    string MessageType,
    Func<IServiceProvider, TaskContext, CancellationToken, Task<TaskResult>> Handle,
    Func<IServiceProvider, TaskContext, JobRecord, CancellationToken, Task>? JobAlreadyEnded);

/// <summary>The agent's handlers by message type: what its <see cref="TaskLoop"/> dispatches to.</summary>
public sealed class TaskHandlers
{
    private readonly IServiceProvider _services;
    private readonly FrozenDictionary<string, TaskHandlerRegistration> _byType;

    public TaskHandlers(IServiceProvider services, IEnumerable<TaskHandlerRegistration> registrations)
    {
        _services = services;
        var list = registrations.ToList();
        if (list.GroupBy(r => r.MessageType).FirstOrDefault(g => g.Count() > 1) is { } twice)
        {
            throw new InvalidOperationException($"More than one handler is registered for '{twice.Key}' messages.");
        }

        _byType = list.ToFrozenDictionary(r => r.MessageType, StringComparer.Ordinal);
    }

    /// <summary>The message types with a handler; a message of any other type is dead-lettered.</summary>
    public IReadOnlyCollection<string> MessageTypes => _byType.Keys;

    public Task<TaskResult> HandleAsync(TaskContext context, CancellationToken cancellationToken) =>
        _byType.TryGetValue(context.Envelope.Type, out var registration)
            ? registration.Handle(_services, context, cancellationToken)
            : throw new NonRetryableTaskException($"no handler takes '{context.Envelope.Type}' messages");

    public Task JobAlreadyEndedAsync(TaskContext context, JobRecord job, CancellationToken cancellationToken) =>
        _byType.TryGetValue(context.Envelope.Type, out var registration) && registration.JobAlreadyEnded is { } ended
            ? ended(_services, context, job, cancellationToken)
            : Task.CompletedTask;

    /// <summary>The registration of <typeparamref name="THandler"/> for <typeparamref name="TMessage"/>.</summary>
    internal static TaskHandlerRegistration For<TMessage, THandler>()
        where TMessage : class
        where THandler : class, ITaskHandler<TMessage>
    {
        if (!Contracts.MessageTypes.TryGetName(typeof(TMessage), out var name))
        {
            throw new ArgumentException($"{typeof(TMessage).Name} is not a message type (see MessageTypes).", nameof(TMessage));
        }

        var endedHandler = typeof(IEndedJobHandler<TMessage>).IsAssignableFrom(typeof(THandler));
        return new TaskHandlerRegistration(
            name,
            (services, context, ct) => services.GetRequiredService<THandler>().HandleAsync(context, context.Message<TMessage>(), ct),
            endedHandler
                ? (services, context, job, ct) => ((IEndedJobHandler<TMessage>)services.GetRequiredService<THandler>())
                    .OnJobAlreadyEndedAsync(context, context.Message<TMessage>(), job, ct)
                : null);
    }
}
