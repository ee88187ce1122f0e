namespace MultiAgent.Persistence;

/// <summary>A job with its tasks and event log, all read at one instant (one database snapshot).</summary>
/// <param name="Job">The job.</param>
/// <param name="Tasks">Its tasks, oldest first.</param>
/// <param name="Events">Its event log, in order.</param>
public sealed record JobDetails(JobRecord Job, IReadOnlyList<TaskRecord> Tasks, IReadOnlyList<EventLogEntry> Events);
