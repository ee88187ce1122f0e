using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using MultiAgent.AgentRuntime.Tasks;

namespace Agents.Coder;

/// <summary>The model one task talks to; disposed when the task ends.</summary>
public interface ICodingModel : IAsyncDisposable
{
    IChatClient Client { get; }
}

/// <summary>Opens the model for one task (one session per task: transcript and usage belong to it).</summary>
public interface ICodingModelProvider
{
    Task<ICodingModel> OpenAsync(TaskContext context, CancellationToken cancellationToken);
}

/// <summary>
/// The <see cref="IChatClient"/> registered in the container, shared by every task. Without one, the task fails
/// (not retryable) saying that no model is configured.
/// </summary>
public sealed class ServiceChatClientModelProvider(IServiceProvider services) : ICodingModelProvider
{
    public Task<ICodingModel> OpenAsync(TaskContext context, CancellationToken cancellationToken)
    {
        var client = services.GetService<IChatClient>()
            ?? throw new NonRetryableTaskException("no language model is configured for the Coder (register an IChatClient, e.g. with AddLlm)");
        return Task.FromResult<ICodingModel>(new SharedModel(client));
    }

    private sealed class SharedModel(IChatClient client) : ICodingModel
    {
        public IChatClient Client { get; } = client;

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
