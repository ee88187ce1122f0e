using System.Globalization;
using System.Text.Json;
using MultiAgent.Contracts;
using MultiAgent.Messaging;
using MultiAgent.Persistence;

namespace MultiAgent.Notifications;

/// <summary>
/// Turns the events worth telling a person about into notifications: a job started, its pull request opened, changes
/// requested, waiting for approval, completed, failed, stopped, a task dead-lettered, a project planned or ended, an
/// agent restarted or crash looping. Every other event (task started, transitions in between, …) gives none. The job's title and repository
/// come from the job store.
/// </summary>
public sealed class NotificationComposer(Func<string, CancellationToken, Task<JobRecord?>> findJob)
{
    public NotificationComposer(JobStore jobs)
        : this((jobId, ct) => jobs.GetAsync(jobId, ct))
    {
    }

    /// <summary>The notification for <paramref name="jobEvent"/>, or null when it is not one to tell.</summary>
    public async Task<Notification?> ComposeAsync(JobEvent jobEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(jobEvent);
        var kind = Classify(jobEvent);
        if (kind is null)
        {
            return null;
        }

        var (level, what) = kind.Value;
        var job = await findJob(jobEvent.JobId, cancellationToken);
        var title = job is null ? jobEvent.JobId : job.Title;
        var fields = new List<NotificationField>();
        if (job is not null)
        {
            fields.Add(new("Repository", job.Repository));
        }

        fields.Add(new(jobEvent.Type.StartsWith("project.", StringComparison.Ordinal) ? "Project" : "Job", jobEvent.JobId));
        if (job is not null && jobEvent.Type == JobEventTypes.JobCompleted)
        {
            fields.Add(new("Iterations", job.Iteration.ToString(CultureInfo.InvariantCulture)));
            if (job.CompletedAt is { } completed)
            {
                fields.Add(new("Duration", Duration(completed - job.CreatedAt)));
            }

            fields.Add(new("Tokens", string.Create(CultureInfo.InvariantCulture, $"{job.Tokens.InputTokens:N0} in, {job.Tokens.OutputTokens:N0} out")));
            if (job.Tokens.Cost is { } cost)
            {
                fields.Add(new("Cost", string.Create(CultureInfo.InvariantCulture, $"about {cost:0.####}")));
            }
        }

        var link = Text(jobEvent.Data, "url") ?? job?.PullRequestUrl;
        var key = jobEvent.EventId is { } id ? EventPublisher.MessageId(id) : $"{jobEvent.JobId}/{jobEvent.Type}/{jobEvent.Timestamp.UtcTicks}";
        return new Notification(key, jobEvent.Type, level, $"{what}: {title}", jobEvent.Message, jobEvent.Timestamp, jobEvent.JobId, link, fields);
    }

    /// <summary>The notification for a system event: a restart is a warning, a crash loop critical.</summary>
    public static Notification? Compose(SystemEvent systemEvent)
    {
        ArgumentNullException.ThrowIfNull(systemEvent);
        return systemEvent.Type switch
        {
            SystemEventTypes.AgentRestarted => new Notification(systemEvent.Id, systemEvent.Type, NotificationLevel.Warning,
                $"Restarted: {systemEvent.Resource}", systemEvent.Message, systemEvent.Timestamp, Fields: [new("Part", systemEvent.Resource)]),
            SystemEventTypes.AgentCrashLoop => new Notification(systemEvent.Id, systemEvent.Type, NotificationLevel.Critical,
                $"Crash loop: {systemEvent.Resource} is left stopped", systemEvent.Message, systemEvent.Timestamp, Fields: [new("Part", systemEvent.Resource)]),
            SystemEventTypes.AgentUnhealthy => new Notification(systemEvent.Id, systemEvent.Type, NotificationLevel.Error,
                $"Agent unhealthy: {systemEvent.Resource}", systemEvent.Message, systemEvent.Timestamp, Fields: [new("Part", systemEvent.Resource)]),
            _ => null,
        };
    }

    private static (NotificationLevel Level, string What)? Classify(JobEvent jobEvent) => jobEvent.Type switch
    {
        JobEventTypes.JobCreated => (NotificationLevel.Info, "Job started"),
        JobEventTypes.PullRequestOpened => (NotificationLevel.Info, "Pull request opened"),
        JobEventTypes.ReviewPosted when Text(jobEvent.Data, "decision") == "REQUEST_CHANGES" =>
            (NotificationLevel.Warning, string.Create(CultureInfo.InvariantCulture, $"Changes requested (iteration {Number(jobEvent.Data, "iteration")})")),
        JobEventTypes.JobTransition when Text(jobEvent.Data, "to") == "AWAITING_APPROVAL" => (NotificationLevel.Info, "Waiting for approval"),
        JobEventTypes.JobCompleted => (NotificationLevel.Success, "Job completed"),
        JobEventTypes.JobFailed => (NotificationLevel.Error, "Job failed"),
        JobEventTypes.JobCancelled => (NotificationLevel.Warning, "Job stopped"),
        JobEventTypes.TaskDeadLettered => (NotificationLevel.Error, "Task dead-lettered"),
        JobEventTypes.BudgetWarning => (NotificationLevel.Warning, "Budget 80 % used"),
        ProjectEventTypes.Planned => (NotificationLevel.Info, "Project planned"),
        ProjectEventTypes.Ended => Text(jobEvent.Data, "status") switch
        {
            "COMPLETED" => (NotificationLevel.Success, "Project completed"),
            "PARTIAL" => (NotificationLevel.Warning, "Project partly completed"),
            "CANCELLED" => (NotificationLevel.Warning, "Project stopped"),
            _ => (NotificationLevel.Error, "Project failed"),
        },
        _ => null,
    };

    private static string? Text(JsonElement? data, string name) =>
        data is { ValueKind: JsonValueKind.Object } value && value.TryGetProperty(name, out var property) && property.ValueKind == JsonValueKind.String
            ? property.GetString()
            : null;

    private static string Number(JsonElement? data, string name) =>
        data is { ValueKind: JsonValueKind.Object } value && value.TryGetProperty(name, out var property) && property.ValueKind == JsonValueKind.Number
            ? property.GetRawText()
            : "?";

    private static string Duration(TimeSpan duration) =>
        duration.TotalHours >= 1
            ? string.Create(CultureInfo.InvariantCulture, $"{(int)duration.TotalHours} h {duration.Minutes} min")
            : duration.TotalMinutes >= 1
                ? string.Create(CultureInfo.InvariantCulture, $"{(int)duration.TotalMinutes} min {duration.Seconds} s")
                : string.Create(CultureInfo.InvariantCulture, $"{duration.TotalSeconds:0.#} s");
}
