using Microsoft.Extensions.AI;
using MultiAgent.Contracts;

namespace MultiAgent.Llm;

/// <summary>
/// The <see cref="LlmProvider.Replay"/> provider for one agent: each call gets the agent's next recorded answer,
/// whatever it asks (the answers are the session's; the requests are the system's own, as they come). Once the
/// answers are used up a call fails without retry, naming how many there were. The count lives in the process: an
/// agent restarted mid-session starts again from its first answer.
/// </summary>
internal sealed class ReplayChatClient(ReplaySession session, AgentType agent) : IChatClient
{
    private readonly IReadOnlyList<ChatResponse> _answers = session.AnswersFor(agent);
    private int _next = -1;

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var index = Interlocked.Increment(ref _next);
        if (index >= _answers.Count)
        {
            throw new LlmConfigurationException(
                $"The replayed session has no more answers for the {AgentCatalogue.Of(agent).DisplayName}: it recorded {_answers.Count}.");
        }

        var recorded = _answers[index];
        // A copy: the caller adds the response's messages to its conversation.
        return Task.FromResult(new ChatResponse([.. recorded.Messages.Select(m => m.Clone())])
        {
            FinishReason = recorded.FinishReason,
            ModelId = recorded.ModelId,
            Usage = recorded.Usage,
            ResponseId = $"replay-{index + 1}",
        });
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var update in (await GetResponseAsync(messages, options, cancellationToken)).ToChatResponseUpdates())
        {
            yield return update;
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose()
    {
    }
}
