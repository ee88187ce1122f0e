using MultiAgent.Contracts;

namespace MultiAgent.AgentRuntime.Tasks;

/// <summary>What a handler gets for one delivery of a task.</summary>
/// <param name="Attempt">1 on the first delivery; grows with each redelivery (after a retry or a crash).</param>
/// <param name="IsLastAttempt">True when a retryable failure now would dead-letter the task.</param>
public sealed record TaskContext(TaskEnvelope Envelope, int Attempt, bool IsLastAttempt)
{
    public string TaskId => Envelope.Id;

    public string JobId => Envelope.CorrelationId;

    /// <summary>
    /// The model usage this attempt has paid for, reported by the handler as its model sessions end
    /// (<see cref="SpentUsage.Report"/>). A completed task's usage is its result's; a failed attempt's (retried or final)
    /// is this, added to the task and the job, since its tokens were spent all the same.
    /// </summary>
    public SpentUsage Spent { get; } = new();

    /// <summary>The task's message, checked against its declared type.</summary>
    public T Message<T>() where T : class => MessageSerializer.Unwrap<T>(Envelope);

    /// <summary>
    /// The id the runtime gives this task's follow-up number <paramref name="index"/> (0-based, in the order of
    /// <see cref="TaskResult.FollowUps"/>): a handler that puts the next task's id into its message uses this.
    /// </summary>
    public string NextTaskId(int index = 0) => FollowUpId(TaskId, index);

    /// <summary>The id of follow-up <paramref name="index"/> of task <paramref name="taskId"/>: derived, so a redelivered
    /// task re-sends its follow-ups under the same ids and JetStream and the task store absorb the copies.</summary>
    public static string FollowUpId(string taskId, int index) => $"{taskId}-{index + 1}";
}

/// <summary>
/// What a handler hands back: token usage, a short summary for the timeline, and the messages to send on. The runtime
/// stores all of it before it publishes the follow-ups and acks the task, and gives each follow-up an id derived from
/// the task id, so a task that is redelivered after it finished only re-sends the same messages (de-duplicated by
/// JetStream) and never runs twice.
/// </summary>
public sealed record TaskResult(string Summary, TokenUsage? TokenUsage = null, IReadOnlyList<TaskEnvelope>? FollowUps = null)
{
    public TokenUsage TokenUsage { get; init; } = TokenUsage ?? TokenUsage.Zero;

    public IReadOnlyList<TaskEnvelope> FollowUps { get; init; } = FollowUps ?? [];
}
