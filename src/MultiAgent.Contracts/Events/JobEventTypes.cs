namespace MultiAgent.Contracts;

/// <summary>Values of <see cref="JobEvent.Type"/>, and how a type becomes a subject token.</summary>
public static class JobEventTypes
{
    /// <summary>A job was accepted.</summary>
    public const string JobCreated = "job.created";

    /// <summary>An agent started working on a task.</summary>
    public const string TaskStarted = "task.started";

    /// <summary>An agent finished a task.</summary>
    public const string TaskCompleted = "task.completed";

    /// <summary>A task attempt failed (it may be retried).</summary>
    public const string TaskFailed = "task.failed";

    /// <summary>A task was given up on and moved to the dead-letter stream.</summary>
    public const string TaskDeadLettered = "task.dead_lettered";

    /// <summary>The coder opened a pull request.</summary>
    public const string PullRequestOpened = "pr.opened";

    /// <summary>The reviewer posted a review.</summary>
    public const string ReviewPosted = "review.posted";

    /// <summary>
    /// A review result was refused: no review on the pull request matches it (task, head commit, decision, recorded
    /// result), so it was not acted on (data: iteration, decision, taskId, number).
    /// </summary>
    public const string ReviewRefused = "review.refused";

    /// <summary>The pull request was merged.</summary>
    public const string JobMerged = "job.merged";

    /// <summary>The job moved from one state to another (data: from, to, iteration).</summary>
    public const string JobTransition = "job.transition";

    /// <summary>The pull request was closed without merging (the job was cancelled or rejected).</summary>
    public const string PullRequestClosed = "pr.closed";

    /// <summary>The job finished successfully.</summary>
    public const string JobCompleted = "job.completed";

    /// <summary>The job failed.</summary>
    public const string JobFailed = "job.failed";

    /// <summary>The job was cancelled.</summary>
    public const string JobCancelled = "job.cancelled";

    /// <summary>A task took the job's model usage past 80 % of its budget (<see cref="JobBudget.WarningShare"/>).</summary>
    public const string BudgetWarning = "job.budget_warning";

    /// <summary>Every type above.</summary>
    public static IReadOnlyList<string> All { get; } =
    [
        JobCreated, TaskStarted, TaskCompleted, TaskFailed, TaskDeadLettered,
        PullRequestOpened, ReviewPosted, ReviewRefused, JobTransition, PullRequestClosed, JobMerged, JobCompleted, JobFailed, JobCancelled,
        BudgetWarning,
    ];

    /// <summary>
    /// The subject token of an event type. Event types contain '.', which separates subject tokens, so
    /// <see cref="Subjects.Event"/> would reject them: this is the one place where a type is mapped to a token,
    /// by replacing every '.' with '_' ("task.started" → "task_started"). The mapping is for routing only; the
    /// type itself travels unchanged in <see cref="JobEvent.Type"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The type is blank, or is not a valid token once mapped ('*', '&gt;', whitespace).</exception>
    public static string ToSubjectToken(string type)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(type);
        var token = type.Replace('.', '_');
        return Subjects.IsValidToken(token)
            ? token
            : throw new ArgumentException($"Event type '{type}' cannot be used in a subject: it contains '*', '>' or whitespace.", nameof(type));
    }

    /// <summary>The subject of an event: <see cref="Subjects.Event"/> with the type mapped by <see cref="ToSubjectToken"/>.</summary>
    /// <exception cref="ArgumentException">The job id or the type is not usable in a subject.</exception>
    public static string Subject(string jobId, string type) => Subjects.Event(jobId, ToSubjectToken(type));
}
