using System.Text.Json;
using MultiAgent.AgentRuntime;
using MultiAgent.AgentRuntime.Tasks;
using MultiAgent.Contracts;
using MultiAgent.Persistence;

namespace MultiAgent.TestAgent;

/// <summary>
/// Handles ImplementationRequests by the script named in their title, and records each run in the job's timeline as a
/// <c>test.executed</c> event (with the instance and attempt), so tests can count real executions across processes.
/// </summary>
public sealed class ScriptedImplementationHandler(AgentIdentity identity, EventLog eventLog) : ITaskHandler<ImplementationRequest>
{
    public const string ExecutedEvent = "test.executed";

    /// <summary>Scripts, chosen by the request's title.</summary>
    public static class Scripts
    {
        public const string Succeed = "succeed";
        public const string Slow = "slow";
        public const string BlockFirstAttempt = "block-first-attempt";
        public const string BlockThenFailWhenCancelled = "block-then-fail-when-cancelled";
        public const string FailRetryable = "fail-retryable";
        public const string FailPermanent = "fail-permanent";
        public const string HogMemoryFirstAttempt = "hog-memory-first-attempt";
    }

    public async Task<TaskResult> HandleAsync(TaskContext context, ImplementationRequest request, CancellationToken cancellationToken)
    {
        await eventLog.AppendAsync(context.JobId, ExecutedEvent, identity.InstanceId,
            JsonSerializer.SerializeToElement(new Dictionary<string, object> { ["attempt"] = context.Attempt, ["instance"] = identity.InstanceId }),
            cancellationToken);

        switch (request.Title)
        {
            case Scripts.Slow:
                await Task.Delay(TimeSpan.FromMilliseconds(300), cancellationToken);
                break;
            case Scripts.BlockFirstAttempt when context.Attempt == 1:
                await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
                break;
            case Scripts.BlockThenFailWhenCancelled when context.Attempt == 1:
                try
                {
                    await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    // As a handler whose model call or process pipe the cancellation closed under it: the error that
                    // comes out is the closed stream's, not a cancellation.
                    throw new ObjectDisposedException(null, "Cannot access a closed Stream.");
                }

                break;
            case Scripts.HogMemoryFirstAttempt when context.Attempt == 1:
                // 300 MB, every page touched so that it counts in the working set, held until the task is cancelled.
                var hog = new byte[300 << 20];
                for (var i = 0; i < hog.Length; i += 4096)
                {
                    hog[i] = 1;
                }

                await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
                GC.KeepAlive(hog);
                break;
            case Scripts.FailRetryable:
                throw new RetryableTaskException("scripted transient failure");
            case Scripts.FailPermanent:
                throw new NonRetryableTaskException("scripted permanent failure");
        }

        var result = new ImplementationResult(request.JobId, request.TaskId, request.Iteration, Succeeded: true,
            Branch: $"agent/{request.JobId}", Summary: $"ran '{request.Title}' on {identity.InstanceId}");
        return new TaskResult(
            result.Summary,
            new TokenUsage(10, 5),
            [MessageSerializer.Wrap(result, AgentType.RepoManager, request.JobId)]);
    }
}
