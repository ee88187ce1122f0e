using MultiAgent.Contracts;
using MultiAgent.Persistence;

namespace Agents.RepoManager.Queries;

/// <summary>Store records as the query API shows them.</summary>
internal static class JobSummaries
{
    public static JobSummary ToSummary(this JobRecord job) => new(
        job.Id, job.Repository, job.Title, job.Status, job.CreatedAt, job.UpdatedAt, job.Iteration, job.MaxIterations,
        job.PullRequestUrl, job.MergeCommitSha, job.Error, job.CompletedAt, job.Tokens);

    public static TaskSummary ToSummary(this TaskRecord task) => new(
        task.Id, task.AgentType, task.MessageType, task.Status, task.Attempts, task.Error, task.Tokens,
        task.StartedAt, task.CompletedAt, task.Duration is { } duration ? (long)duration.TotalMilliseconds : null);

    public static TimelineEntry ToTimelineEntry(this EventLogEntry entry) =>
        new(entry.Id, entry.Type, entry.Message, entry.CreatedAt, entry.Data);
}
