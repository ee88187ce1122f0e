using Microsoft.Extensions.AI;
using MultiAgent.AgentRuntime.Tasks;
using MultiAgent.Contracts;
using MultiAgent.Llm;

namespace Agents.Coder;

/// <summary>The model one task talks to; disposed when the task ends.</summary>
public interface ICodingModel : IAsyncDisposable
{
    IChatClient Client { get; }

    /// <summary>Records a tool's result next to the model calls (the task's transcript), if the model keeps one.</summary>
    void RecordToolResult(FunctionCallContent call, string result, bool succeeded)
    {
    }
}

/// <summary>Opens the model for one task (one session per task: transcript and usage belong to it).</summary>
public interface ICodingModelProvider
{
    Task<ICodingModel> OpenAsync(TaskContext context, CancellationToken cancellationToken);
}

/// <summary>
/// The LLM layer's session for the task (<see cref="LlmSessionFactory"/>): the Coder's model settings
/// (<c>MultiAgent:Llm</c>, <c>MultiAgent:Llm:Agents:coder</c>), resilience, token usage and the stored transcript,
/// tool results included. Missing or wrong settings fail the task, not retryable, saying what is wrong.
/// </summary>
public sealed class LlmSessionModelProvider(LlmSessionFactory sessions) : ICodingModelProvider
{
    public Task<ICodingModel> OpenAsync(TaskContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        try
        {
            return Task.FromResult<ICodingModel>(new SessionModel(sessions.Start(AgentType.Coder, context.TaskId, context.JobId)));
        }
        catch (LlmConfigurationException ex)
        {
            throw new NonRetryableTaskException($"the Coder's language model is not configured: {ex.Message}", ex);
        }
    }

    private sealed class SessionModel(LlmSession session) : ICodingModel
    {
        public IChatClient Client => session.Client;

        public void RecordToolResult(FunctionCallContent call, string result, bool succeeded) =>
            session.RecordToolResult(call.Name, call.Arguments, result, succeeded, call.CallId);

        public ValueTask DisposeAsync() => session.DisposeAsync();
    }
}
