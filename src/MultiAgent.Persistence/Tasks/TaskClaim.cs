using MultiAgent.Contracts;

namespace MultiAgent.Persistence;

/// <summary>What <see cref="TaskStore.BeginAttemptAsync"/> found: whether the caller may run the task now.</summary>
public enum TaskClaimOutcome
{
    /// <summary>The attempt is recorded and the lease is the caller's: run the task, renew the lease while it runs.</summary>
    Started,

    /// <summary>The task had already ended (<see cref="TaskRecord.Status"/> is terminal): do not run it again.</summary>
    Ended,

    /// <summary>
    /// Another delivery holds a live lease (<see cref="TaskRecord.LeaseHolder"/>): it is running the task. Do not run
    /// it; try again once the lease could have run out (<see cref="TaskClaim.LeaseRemaining"/>).
    /// </summary>
    HeldElsewhere,
}

/// <summary>The answer of <see cref="TaskStore.BeginAttemptAsync"/>.</summary>
/// <param name="Outcome">Whether to run the task.</param>
/// <param name="Task">The task as stored after the call.</param>
/// <param name="LeaseRemaining">For <see cref="TaskClaimOutcome.HeldElsewhere"/>: how long the other holder's lease
/// still holds unless renewed (zero if it just ran out); otherwise zero.</param>
/// <param name="JobStatus">For <see cref="TaskClaimOutcome.Started"/>: the status of the task's job as the attempt
/// began, read in the same statement (null when the job is unknown, and for the other outcomes).</param>
public sealed record TaskClaim(TaskClaimOutcome Outcome, TaskRecord Task, TimeSpan LeaseRemaining, JobStatus? JobStatus = null);
