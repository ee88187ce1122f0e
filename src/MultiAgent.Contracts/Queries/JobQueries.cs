using System.Text.Json;

namespace MultiAgent.Contracts;

/// <summary>Request on <see cref="Subjects.QueryJobStatus"/>.</summary>
public sealed record JobStatusQuery(string JobId);

/// <summary>Request on <see cref="Subjects.QueryJobsList"/>: newest first, filtered, paged.</summary>
/// <param name="Limit">1 to 200.</param>
public sealed record ListJobsQuery(JobStatus? Status = null, string? Repository = null, int Limit = 20, int Offset = 0);

/// <summary>Request on <see cref="Subjects.QueryJobStop"/>.</summary>
public sealed record StopJobRequest(string JobId, string? Reason = null);

/// <summary>Request on <see cref="Subjects.QueryAgents"/>.</summary>
public sealed record AgentsQuery(bool IncludeStopped = false);

/// <summary>A job in a list or a status reply.</summary>
public sealed record JobSummary(
    string JobId,
    string Repository,
    string Title,
    JobStatus Status,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    int Iteration = 0,
    int MaxIterations = 3,
    string? PullRequestUrl = null,
    string? MergeCommitSha = null,
    string? Error = null,
    DateTimeOffset? CompletedAt = null,
    TokenUsage? TokenUsage = null)
{
    public TokenUsage TokenUsage { get; init; } = TokenUsage ?? TokenUsage.Zero;
}

/// <summary>One agent assignment of a job.</summary>
public sealed record TaskSummary(
    string TaskId,
    AgentType AgentType,
    string MessageType,
    AgentTaskStatus Status,
    int Attempts,
    string? Error = null,
    TokenUsage? TokenUsage = null,
    DateTimeOffset? StartedAt = null,
    DateTimeOffset? CompletedAt = null,
    long? DurationMs = null)
{
    public TokenUsage TokenUsage { get; init; } = TokenUsage ?? TokenUsage.Zero;
}

/// <summary>One entry of a job's timeline (its append-only event log).</summary>
public sealed record TimelineEntry(long Id, string Type, string Message, DateTimeOffset Timestamp, JsonElement? Data = null);

/// <summary>Reply to <see cref="JobStatusQuery"/>.</summary>
public sealed record JobStatusReply(
    JobSummary Job,
    IReadOnlyList<TaskSummary>? Tasks = null,
    IReadOnlyList<TimelineEntry>? Timeline = null)
{
    public IReadOnlyList<TaskSummary> Tasks { get; init; } = Tasks ?? [];

    public IReadOnlyList<TimelineEntry> Timeline { get; init; } = Timeline ?? [];
}

/// <summary>Reply to <see cref="ListJobsQuery"/>.</summary>
public sealed record ListJobsReply(IReadOnlyList<JobSummary>? Jobs = null, long Total = 0)
{
    public IReadOnlyList<JobSummary> Jobs { get; init; } = Jobs ?? [];
}

/// <summary>Reply to <see cref="StopJobRequest"/>: the job's state afterwards, and whether this request changed it.</summary>
public sealed record StopJobReply(string JobId, JobStatus Status, bool Changed);

/// <summary>Reply to <see cref="AgentsQuery"/>.</summary>
public sealed record AgentsReply(IReadOnlyList<AgentHealth>? Agents = null)
{
    public IReadOnlyList<AgentHealth> Agents { get; init; } = Agents ?? [];
}

/// <summary>Request on <see cref="Subjects.QueryJobApprove"/>: merge a job that is AWAITING_APPROVAL.</summary>
public sealed record ApproveJobRequest(string JobId, string? DecidedBy = null, string? Comment = null);

/// <summary>Request on <see cref="Subjects.QueryJobReject"/>: fail a job that is AWAITING_APPROVAL and close its pull request.</summary>
public sealed record RejectJobRequest(string JobId, string? DecidedBy = null, string? Reason = null);

/// <summary>
/// Reply to <see cref="ApproveJobRequest"/> and <see cref="RejectJobRequest"/>: the decision was accepted and handed to the
/// workflow (the merge or the rejection follows within moments; watch the job's events), with the job's state when it
/// was accepted.
/// </summary>
public sealed record ApprovalReply(string JobId, JobStatus Status, bool Approved);
