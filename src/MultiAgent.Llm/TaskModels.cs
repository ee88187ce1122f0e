using Microsoft.Extensions.AI;
using MultiAgent.Contracts;

namespace MultiAgent.Llm;

/// <summary>The model one task talks to, with its transcript; disposed when the task ends.</summary>
public interface ITaskModel : IAsyncDisposable
{
    IChatClient Client { get; }

    /// <summary>Records a tool's result next to the model calls (the task's transcript).</summary>
    void RecordToolResult(FunctionCallContent call, string result, bool succeeded);

    /// <summary>What this task's calls have used so far, priced (every response counted, failed sessions included).</summary>
    TokenUsage Used { get; }

    /// <summary>
    /// <paramref name="usage"/> with its estimated cost by this model's prices (<c>MultiAgent:Llm:Prices</c>); unchanged
    /// (no cost) when no prices are configured.
    /// </summary>
    TokenUsage Priced(TokenUsage usage);
}

/// <summary>Opens the model for one task of an agent (one session per task: transcript and usage belong to it).</summary>
public interface ITaskModelProvider
{
    /// <param name="budget">The job's budget, if it has one: the model is not called once it is used up.</param>
    /// <param name="spent">What the job had used when the task was sent.</param>
    /// <exception cref="NonRetryableLlmException">The agent's model settings are missing or wrong.</exception>
    ITaskModel Open(AgentType agent, string taskId, string jobId, JobBudget? budget = null, TokenUsage? spent = null);
}

/// <summary>
/// The LLM layer's session for the task (<see cref="LlmSessionFactory"/>): the agent's model settings
/// (<c>MultiAgent:Llm</c>, <c>MultiAgent:Llm:Agents:&lt;agent&gt;</c>), resilience, token usage and the stored transcript,
/// tool results included. Missing or wrong settings fail the task, not retryable, saying what is wrong.
/// </summary>
public sealed class LlmTaskModelProvider(LlmSessionFactory sessions) : ITaskModelProvider
{
    public ITaskModel Open(AgentType agent, string taskId, string jobId, JobBudget? budget = null, TokenUsage? spent = null)
    {
        try
        {
            return new SessionModel(sessions.Start(agent, taskId, jobId, budget, spent));
        }
        catch (LlmConfigurationException ex)
        {
            throw new NonRetryableLlmException($"the {AgentCatalogue.Of(agent).DisplayName}'s language model is not configured: {ex.Message}", ex);
        }
    }

    private sealed class SessionModel(LlmSession session) : ITaskModel
    {
        public IChatClient Client => session.Client;

        public void RecordToolResult(FunctionCallContent call, string result, bool succeeded) =>
            session.RecordToolResult(call.Name, call.Arguments, result, succeeded, call.CallId);

        public TokenUsage Priced(TokenUsage usage) => session.Priced(usage);

        public TokenUsage Used => session.Usage.PricedTotal;

        public ValueTask DisposeAsync() => session.DisposeAsync();
    }
}
