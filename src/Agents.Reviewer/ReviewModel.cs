using Microsoft.Extensions.AI;
using MultiAgent.AgentRuntime.Tasks;
using MultiAgent.Contracts;
using MultiAgent.Llm;

namespace Agents.Reviewer;

/// <summary>The model one review talks to; disposed when the task ends.</summary>
public interface IReviewModel : IAsyncDisposable
{
    IChatClient Client { get; }
}

/// <summary>Opens the model for one review task (one session per task: transcript and usage belong to it).</summary>
public interface IReviewModelProvider
{
    Task<IReviewModel> OpenAsync(TaskContext context, CancellationToken cancellationToken);
}

/// <summary>
/// The LLM layer's session for the task (<see cref="LlmSessionFactory"/>): the Reviewer's model settings
/// (<c>MultiAgent:Llm</c>, <c>MultiAgent:Llm:Agents:reviewer</c>), resilience, token usage and the stored transcript.
/// Missing or wrong settings fail the task, not retryable, saying what is wrong.
/// </summary>
public sealed class LlmSessionReviewModelProvider(LlmSessionFactory sessions) : IReviewModelProvider
{
    public Task<IReviewModel> OpenAsync(TaskContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        try
        {
            return Task.FromResult<IReviewModel>(new SessionModel(sessions.Start(AgentType.Reviewer, context.TaskId, context.JobId)));
        }
        catch (LlmConfigurationException ex)
        {
            throw new NonRetryableTaskException($"the Reviewer's language model is not configured: {ex.Message}", ex);
        }
    }

    private sealed class SessionModel(LlmSession session) : IReviewModel
    {
        public IChatClient Client => session.Client;

        public ValueTask DisposeAsync() => session.DisposeAsync();
    }
}
