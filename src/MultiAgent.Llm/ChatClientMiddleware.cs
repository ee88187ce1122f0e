using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using MultiAgent.Contracts;
using MultiAgent.Secrets;

namespace MultiAgent.Llm;

/// <summary>Rethrows provider failures as the runtime's retryable/non-retryable exceptions (see <see cref="LlmFailure"/>).</summary>
internal sealed class FailureMappingChatClient(IChatClient innerClient, string? model, SecretRedactor redactor)
    : DelegatingChatClient(innerClient)
{
    public override async Task<ChatResponse> GetResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        try
        {
            return await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (LlmFailure.Map(ex, options?.ModelId ?? model, redactor) is { } mapped)
        {
            throw mapped;
        }
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var updates = base.GetStreamingResponseAsync(messages, options, cancellationToken).GetAsyncEnumerator(cancellationToken);
        try
        {
            while (true)
            {
                ChatResponseUpdate update;
                try
                {
                    if (!await updates.MoveNextAsync().ConfigureAwait(false))
                    {
                        yield break;
                    }

                    update = updates.Current;
                }
                catch (Exception ex) when (LlmFailure.Map(ex, options?.ModelId ?? model, redactor) is { } mapped)
                {
                    throw mapped;
                }

                yield return update;
            }
        }
        finally
        {
            await updates.DisposeAsync().ConfigureAwait(false);
        }
    }
}

/// <summary>Adds every response's token usage to the session's <see cref="LlmUsage"/>.</summary>
internal sealed class UsageChatClient(IChatClient innerClient, LlmUsage usage) : DelegatingChatClient(innerClient)
{
    public override async Task<ChatResponse> GetResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var response = await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        usage.Add(response.Usage);
        return response;
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        UsageDetails? total = null;
        var received = false;
        try
        {
            await foreach (var update in base.GetStreamingResponseAsync(messages, options, cancellationToken).ConfigureAwait(false))
            {
                received = true;
                foreach (var content in update.Contents)
                {
                    if (content is UsageContent { Details: { } details })
                    {
                        (total ??= new UsageDetails()).Add(details);
                    }
                }

                yield return update;
            }
        }
        finally
        {
            // Tokens of a stream that was abandoned half-way were still used.
            if (received)
            {
                usage.Add(total);
            }
        }
    }
}

/// <summary>Keeps a shared client alive when a pipeline built on it is disposed.</summary>
internal sealed class NonDisposingChatClient(IChatClient innerClient) : DelegatingChatClient(innerClient)
{
    protected override void Dispose(bool disposing)
    {
        // The factory owns the inner client.
    }
}

/// <summary>
/// Refuses a model call once the job's budget is used up: what the job had used when the task was sent plus what this
/// task's calls have used so far (<see cref="LlmUsage"/>, priced by the agent's model prices). The refusal is not
/// retryable: the task, and so the job, fails with "budget exceeded: …". A call is refused only before it starts, so
/// the call that crosses the budget is the last one made.
/// </summary>
internal sealed class BudgetChatClient(IChatClient innerClient, LlmUsage usage, JobBudget budget, TokenUsage spentBefore)
    : DelegatingChatClient(innerClient)
{
    public override Task<ChatResponse> GetResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        Check();
        return base.GetResponseAsync(messages, options, cancellationToken);
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        Check();
        await foreach (var update in base.GetStreamingResponseAsync(messages, options, cancellationToken).ConfigureAwait(false))
        {
            yield return update;
        }
    }

    private void Check()
    {
        if (budget.Exceeded(spentBefore + usage.PricedTotal) is { } reason)
        {
            throw new NonRetryableLlmException(reason);
        }
    }
}
