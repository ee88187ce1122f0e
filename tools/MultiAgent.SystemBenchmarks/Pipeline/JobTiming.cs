using System.Text.Json;
using MultiAgent.Contracts;
using MultiAgent.Contracts.Telemetry;
using MultiAgent.IntegrationTests.EndToEnd;

namespace MultiAgent.SystemBenchmarks.Pipeline;

/// <summary>
/// Where one finished job's time went, read back from what the system stored: its row (created → completed), its tasks
/// (each attempt's start and end) and each task.completed event's <see cref="WorkTimes"/>.
/// </summary>
/// <param name="HandOffs">From one task's end to the next task's start (the follow-up published, pulled, claimed).</param>
/// <param name="RepoManagerMs">The Repo Manager's tasks, less their git work (which is <paramref name="MergeMs"/>).</param>
/// <param name="Coder">The Coder's tasks together.</param>
/// <param name="Spans">Each completed task's agent and run (start to end), for what the agents were busy with.</param>
public sealed record JobTiming(
    string JobId,
    double JobMs,
    IReadOnlyList<HandOff> HandOffs,
    double RepoManagerMs,
    double MergeMs,
    WorkTimes Coder,
    double ReviewerMs,
    double ModelMs,
    double CheckMs,
    double GitMs,
    IReadOnlyList<TaskSpan> Spans)
{
    /// <summary>The job's time that is neither the model's, the check's nor git's: the system's own work and waits.</summary>
    public double OverheadMs => Math.Max(0, JobMs - ModelMs - CheckMs - GitMs);

    public IEnumerable<double> HandOffsMs => HandOffs.Select(h => h.Ms);

    public double QueueWaitMs => HandOffsMs.Sum();

    public static async Task<JobTiming> ReadAsync(SystemClient client, string jobId, CancellationToken cancellationToken)
    {
        var job = (await client.Queries.JobStatusAsync(jobId, cancellationToken)).Job;
        var tasks = (await client.Tasks.ListForJobAsync(jobId, cancellationToken))
            .Where(t => t is { StartedAt: not null, CompletedAt: not null, Status: AgentTaskStatus.Completed })
            .OrderBy(t => t.StartedAt)
            .ToList();
        var work = (await client.Events.ReadAsync(jobId, cancellationToken: cancellationToken))
            .Where(e => e.Type == JobEventTypes.TaskCompleted && e.TaskId is not null)
            .GroupBy(e => e.TaskId!)
            .ToDictionary(g => g.Key, g => WorkOf(g.Last().Data));

        var handOffs = tasks.Zip(tasks.Skip(1), (before, after) => new HandOff(
                jobId, $"{before.AgentType} {before.MessageType}", $"{after.AgentType} {after.MessageType}", after.AgentType,
                before.CompletedAt!.Value, (after.StartedAt!.Value - before.CompletedAt!.Value).TotalMilliseconds))
            .Where(h => h.Ms >= 0)
            .ToList();
        WorkTimes Sum(AgentType? agent) => tasks
            .Where(t => agent is null || t.AgentType == agent)
            .Select(t => work.GetValueOrDefault(t.Id) ?? new WorkTimes(0, 0, 0, 0, (t.CompletedAt!.Value - t.StartedAt!.Value).TotalMilliseconds))
            .Aggregate(new WorkTimes(0, 0, 0, 0, 0), (a, b) => new WorkTimes(
                a.ModelMs + b.ModelMs, a.ToolsMs + b.ToolsMs, a.CheckMs + b.CheckMs, a.GitMs + b.GitMs, a.TotalMs + b.TotalMs));

        var all = Sum(null);
        var repoManager = Sum(AgentType.RepoManager);
        var end = job.CompletedAt ?? job.UpdatedAt;
        return new JobTiming(
            jobId,
            (end - job.CreatedAt).TotalMilliseconds,
            handOffs,
            repoManager.TotalMs - repoManager.GitMs,
            repoManager.GitMs,
            Sum(AgentType.Coder),
            Sum(AgentType.Reviewer).TotalMs,
            all.ModelMs,
            all.CheckMs,
            all.GitMs,
            [.. tasks.Select(t => new TaskSpan(t.AgentType, t.StartedAt!.Value, t.CompletedAt!.Value))]);
    }

    private static WorkTimes? WorkOf(JsonElement? data) =>
        data is { ValueKind: JsonValueKind.Object } value && value.TryGetProperty("work", out var work)
            ? work.Deserialize<WorkTimes>()
            : null;
}

/// <summary>One hand-off of a job: <paramref name="From"/>'s task ended at <paramref name="At"/>, <paramref name="To"/>'s (an <paramref name="Agent"/> task) started <paramref name="Ms"/> later.</summary>
public sealed record HandOff(string JobId, string From, string To, AgentType Agent, DateTimeOffset At, double Ms)
{
    public DateTimeOffset StartedAt => At + TimeSpan.FromMilliseconds(Ms);
}

/// <summary>A task's run on an agent, from its start to its end.</summary>
public sealed record TaskSpan(AgentType Agent, DateTimeOffset Start, DateTimeOffset End);
