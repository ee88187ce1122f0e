using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using MultiAgent.AgentRuntime.Tasks;
using MultiAgent.Contracts;

namespace MultiAgent.AgentRuntime;

/// <summary>
/// An agent being put together: which handler takes which of its messages
/// (<c>builder.AddAgent(AgentType.Coder).Handle&lt;ImplementationRequest, ImplementationHandler&gt;()</c>).
/// </summary>
public sealed class AgentBuilder
{
    private readonly HashSet<string> _handled = new(StringComparer.Ordinal);

    internal AgentBuilder(IHostApplicationBuilder host, AgentDescriptor agent)
    {
        Host = host;
        Agent = agent;
    }

    /// <summary>The application being built (for the agent's own services).</summary>
    public IHostApplicationBuilder Host { get; }

    /// <summary>The agent type, as the catalogue describes it.</summary>
    public AgentDescriptor Agent { get; }

    /// <summary>
    /// <typeparamref name="THandler"/> (a singleton, registered here unless it already is) takes every
    /// <typeparamref name="TMessage"/> sent to this agent.
    /// </summary>
    /// <exception cref="ArgumentException">The agent does not take <typeparamref name="TMessage"/> (see <see cref="AgentCatalogue"/>), or it already has a handler for it.</exception>
    public AgentBuilder Handle<TMessage, THandler>()
        where TMessage : class
        where THandler : class, ITaskHandler<TMessage>
    {
        var registration = TaskHandlers.For<TMessage, THandler>();
        if (!Agent.Handles.Contains(registration.MessageType))
        {
            throw new ArgumentException(
                $"The {Agent.DisplayName} does not take '{registration.MessageType}' messages (it takes {string.Join(", ", Agent.Handles)}; see AgentCatalogue).",
                nameof(TMessage));
        }

        if (!_handled.Add(registration.MessageType))
        {
            throw new ArgumentException($"'{registration.MessageType}' already has a handler.", nameof(TMessage));
        }

        Host.Services.TryAddSingleton<THandler>();
        Host.Services.AddSingleton(registration);
        return this;
    }
}
