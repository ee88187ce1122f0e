using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using MultiAgent.AgentRuntime.Tasks;
using MultiAgent.Contracts;
using MultiAgent.Persistence;
using MultiAgent.Repositories;
using MultiAgent.Repositories.Reviews;

namespace Agents.RepoManager.Workflow;

/// <summary>
/// The job state machine. Each step is one Repo Manager task: it reads the job's stored state, moves the job on with a
/// guarded transition, records an event, and returns the next agent's request as the task's follow-up.
/// </summary>
/// <remarks>
/// <para>PENDING → IMPLEMENTING (iteration n) → REVIEWING → APPROVE: [AWAITING_APPROVAL →] MERGING → COMPLETED;
/// REQUEST_CHANGES: IMPLEMENTING (n + 1) on the same branch and pull request, or FAILED once n is the job's maximum.
/// A merge that conflicts with the base branch: IMPLEMENTING (n + 1) with the base to bring in and the conflict to
/// resolve, then review again, at most <see cref="WorkflowOptions.MaxConflictRounds"/> times; then FAILED.</para>
/// <para>Crash safety: a task is redelivered until the runtime has stored its outcome, so any step may run again. A step
/// that finds the job already in the state it would produce changes nothing and returns the same follow-up (same id,
/// absorbed by JetStream and the task store). A message about an older iteration or state is ignored. Terminal states
/// never change (the job store refuses), so a stop always wins.</para>
/// </remarks>
public sealed partial class JobWorkflow(
    JobStore jobs,
    TaskStore tasks,
    ProjectStore projects,
    JobTimeline timeline,
    RepositoryHostResolver hosts,
    MergeGate mergeGate,
    IOptions<WorkflowOptions> options,
    MultiAgent.Llm.LlmConfiguration models,
    ILogger<JobWorkflow> logger,
    TimeProvider? time = null)
    : ITaskHandler<FeatureRequest>, ITaskHandler<ImplementationResult>, ITaskHandler<ReviewResult>, ITaskHandler<ApprovalDecision>,
      IEndedJobHandler<ImplementationResult>
{
    private readonly WorkflowOptions _options = options.Value;
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    // The Repo Manager's messages, each to its step. A repository host's failure reaches the task loop as it is: it says
    // whether it is worth another attempt.
    Task<TaskResult> ITaskHandler<FeatureRequest>.HandleAsync(TaskContext context, FeatureRequest message, CancellationToken cancellationToken) =>
        StartAsync(context, message, cancellationToken);

    Task<TaskResult> ITaskHandler<ImplementationResult>.HandleAsync(TaskContext context, ImplementationResult message, CancellationToken cancellationToken) =>
        ImplementedAsync(context, message, cancellationToken);

    Task<TaskResult> ITaskHandler<ReviewResult>.HandleAsync(TaskContext context, ReviewResult message, CancellationToken cancellationToken) =>
        ReviewedAsync(context, message, cancellationToken);

    Task<TaskResult> ITaskHandler<ApprovalDecision>.HandleAsync(TaskContext context, ApprovalDecision message, CancellationToken cancellationToken) =>
        DecidedAsync(context, message, cancellationToken);

    /// <summary>A pull request the Coder opened just before its job was stopped is closed, like the job's own.</summary>
    async Task IEndedJobHandler<ImplementationResult>.OnJobAlreadyEndedAsync(
        TaskContext context, ImplementationResult message, JobRecord job, CancellationToken cancellationToken)
    {
        if (job.Status == JobStatus.Cancelled && message.PullRequestNumber is { } number)
        {
            await CloseAbandonedPullRequestAsync(job, number, "the job was stopped", cancellationToken);
        }
    }

    /// <summary>FeatureRequest: record the job, resolve its base branch, ask the Coder for iteration 1.</summary>
    public async Task<TaskResult> StartAsync(TaskContext context, FeatureRequest request, CancellationToken ct)
    {
        if (request.JobId != context.JobId)
        {
            throw new NonRetryableTaskException($"the request's job id '{request.JobId}' differs from its envelope's '{context.JobId}'");
        }

        // A request the CLI would not have sent (iterations out of range, a budget that is not positive): the job is
        // recorded with safe values and fails at once, saying why, so whoever sent it sees the refusal.
        if (request.Problem() is { } problem)
        {
            var (refused, isNew) = await jobs.CreateAsync(JobRecord.FromRequest(request) with
            {
                MaxIterations = Math.Clamp(request.MaxIterations, 1, FeatureRequest.MaxIterationsLimit),
                Budget = null,
                Title = string.IsNullOrWhiteSpace(request.Title) ? request.JobId : request.Title,
            }, ct);
            return isNew ? await FailAsync(refused, $"invalid feature request: {problem}", ct) : Ignored(refused, "invalid feature request");
        }

        // A request without a budget gets the Repo Manager's default one (MultiAgent:Workflow:JobTokenBudget, :JobCostBudget).
        var (job, created) = await jobs.CreateAsync(JobRecord.FromRequest(request) with { Budget = request.Budget ?? _options.DefaultBudget }, ct);
        if (created)
        {
            await RecordAsync(job.Id, JobEventTypes.JobCreated, $"job created for {request.Repository}: {request.Title}", ct);
        }

        if (job.Status is not (JobStatus.Pending or JobStatus.Implementing) || job.Iteration > 1)
        {
            return Ignored(job, "feature request");
        }

        // A job of a project (a planned feature, or submit-feature --project) is listed with it; none joins a project
        // that does not exist or has ended.
        if (request.ProjectId is { } projectId && !await projects.AttachAsync(projectId, job.Id, job.Title, ct))
        {
            return await FailAsync(job, $"project '{projectId}' does not exist or has ended", ct);
        }

        if (!TryParse(job, out var repository, out var invalid))
        {
            return await FailAsync(job, invalid, ct);
        }

        // Without a model for the Coder and the Reviewer the job could only fail later: it fails now, saying how to set one.
        if (models.Problems([AgentType.Coder, AgentType.Reviewer]) is { } noModel)
        {
            return await FailAsync(job, noModel, ct);
        }

        var baseBranch = job.BaseBranch;
        // A local repository is always opened (cheap): that is where the host refuses a path outside the allowed roots
        // (or one that does not exist), so such a job fails here, before any agent is asked to touch it.
        if (baseBranch is null || repository.Kind == RepositoryHostKind.Local)
        {
            try
            {
                var info = await hosts.For(repository).GetRepositoryAsync(repository, ct);
                baseBranch ??= info.DefaultBranch;
            }
            catch (RepositoryHostException ex) when (!ex.IsRetryable)
            {
                return await FailAsync(job, $"cannot open repository {job.Repository}: {ex.Message}", ct);
            }
        }

        await MoveAsync(job, JobStatus.Implementing, new JobChanges { Iteration = 1, BaseBranch = baseBranch },
            $"iteration 1 of {job.MaxIterations}: the Coder implements the feature on a branch from {baseBranch}", ct);
        return new TaskResult($"job recorded; implementation requested (base branch {baseBranch})",
            FollowUps: [Implementation(context, job with { BaseBranch = baseBranch }, 1, [])]);
    }

    /// <summary>ImplementationResult: the pull request is ready; ask the Reviewer.</summary>
    public async Task<TaskResult> ImplementedAsync(TaskContext context, ImplementationResult result, CancellationToken ct)
    {
        var job = await LoadAsync(context, ct);
        if (result.Iteration != job.Iteration || job.Status is not (JobStatus.Implementing or JobStatus.Reviewing))
        {
            return Ignored(job, $"implementation result of iteration {result.Iteration}");
        }

        if (!result.Succeeded || result.PullRequestNumber is not { } number || string.IsNullOrEmpty(result.HeadSha))
        {
            return await FailAsync(job,
                $"the Coder could not complete iteration {result.Iteration}: {result.Error ?? "no pull request was opened"}", ct);
        }

        // The review would ask the model again: not once the job's budget is used up.
        if (job.Budget?.Exceeded(job.Tokens) is { } overBudget)
        {
            return await FailAsync(job, overBudget, ct);
        }

        var firstPullRequest = job.PullRequestNumber != number;
        var moved = await MoveAsync(job, JobStatus.Reviewing,
            new JobChanges { PullRequestNumber = number, PullRequestUrl = result.PullRequestUrl, Branch = result.Branch, HeadSha = result.HeadSha },
            Invariant($"iteration {result.Iteration}: pull request #{number} at {Short(result.HeadSha)} ({result.FilesChanged.Count} file(s), check {Wire(result.Check)}); the Reviewer reviews it"),
            ct);
        if (moved)
        {
            await WarnOfBudgetAsync(job, result.TokenUsage, ct);
        }

        if (moved && firstPullRequest)
        {
            await RecordAsync(job.Id, JobEventTypes.PullRequestOpened, Invariant($"pull request #{number} opened: {result.PullRequestUrl}"), ct,
                Data(new JsonObject { ["number"] = number, ["url"] = result.PullRequestUrl, ["branch"] = result.Branch }));
        }

        var review = new ReviewRequest(job.Id, context.NextTaskId(), job.Repository, number, result.PullRequestUrl, result.HeadSha,
            result.Iteration, result.Check, job.Budget, job.Budget is null ? null : job.Tokens);
        return new TaskResult(Invariant($"review of pull request #{number} requested"),
            FollowUps: [MessageSerializer.Wrap(review, AgentType.Reviewer, job.Id, job.Priority)]);
    }

    /// <summary>ReviewResult: merge (or wait for approval), another iteration, or give up.</summary>
    public async Task<TaskResult> ReviewedAsync(TaskContext context, ReviewResult review, CancellationToken ct)
    {
        var job = await LoadAsync(context, ct);
        var sameIteration = job.Iteration == review.Iteration;
        switch (job.Status)
        {
            case JobStatus.Reviewing when sameIteration:
                break;
            case JobStatus.Implementing when job.Iteration == review.Iteration + 1 && review.Decision == ReviewDecision.RequestChanges:
                // Acted on already (a redelivery re-sends the same request); checked again all the same, since another
                // task's copy would send the Coder a second request under a new id. The head is still iteration n's.
                return await VerifyAsync(job, review, ct) ?? await NextIterationAsync(context, job, review, ct);
            case JobStatus.Implementing when job.Iteration == review.Iteration + 1 && review.Decision == ReviewDecision.Approve && job.ConflictRounds > 0:
                // Acted on already: the approved change did not merge and went back to the Coder (a redelivery re-sends it).
                return ConflictRound(context, job, "conflict round requested (resumed)");
            case JobStatus.AwaitingApproval when sameIteration:
                return new TaskResult("waiting for approval");
            case JobStatus.Merging when sameIteration:
                return await MergeAsync(context, job, "merging (resumed)", ct);
            default:
                return Ignored(job, $"review of iteration {review.Iteration}");
        }

        if (review.Error is not null)
        {
            // Not verifiable: the Reviewer posts nothing when it cannot review (see docs/security.md).
            return await FailAsync(job, $"the Reviewer could not review iteration {review.Iteration}: {review.Error}", ct);
        }

        if (await VerifyAsync(job, review, ct) is { } refused)
        {
            return refused;
        }

        await WarnOfBudgetAsync(job, review.TokenUsage, ct);
        await RecordAsync(job.Id, JobEventTypes.ReviewPosted,
            Invariant($"review of pull request #{job.PullRequestNumber}: {Wire(review.Decision)} with {review.Comments.Count} comment(s): {review.Summary}"),
            ct, Data(new JsonObject { ["decision"] = Wire(review.Decision), ["iteration"] = review.Iteration, ["comments"] = review.Comments.Count }));

        if (review.Decision == ReviewDecision.Approve)
        {
            if (job.RequireApproval)
            {
                await MoveAsync(job, JobStatus.AwaitingApproval, JobChanges.None,
                    $"the Reviewer approved; waiting for a person to approve the merge (multi-agent approve {job.Id})", ct);
                return new TaskResult("approved by the Reviewer; waiting for approval");
            }

            return await MergeAsync(context, job, "the Reviewer approved; merging", ct);
        }

        if (job.Iteration >= job.MaxIterations)
        {
            return await FailAsync(job,
                Invariant($"the Reviewer still requested changes after {job.Iteration} iteration(s), the maximum for this job: {review.Summary}"), ct);
        }

        return await NextIterationAsync(context, job, review, ct);
    }

    /// <summary>ApprovalDecision: a person approved (merge) or rejected (FAILED, pull request closed).</summary>
    public async Task<TaskResult> DecidedAsync(TaskContext context, ApprovalDecision decision, CancellationToken ct)
    {
        var job = await LoadAsync(context, ct);
        var by = string.IsNullOrWhiteSpace(decision.DecidedBy) ? "a user" : decision.DecidedBy;
        switch (job.Status)
        {
            case JobStatus.AwaitingApproval when decision.Approved:
                return await MergeAsync(context, job, $"approved by {by}; merging", ct);
            case JobStatus.Merging when decision.Approved:
                return await MergeAsync(context, job, "merging (resumed)", ct);
            case JobStatus.Implementing when decision.Approved && job.ConflictRounds > 0:
                return ConflictRound(context, job, "conflict round requested (resumed)");
            case JobStatus.AwaitingApproval:
                var reason = string.IsNullOrWhiteSpace(decision.Reason) ? "no reason given" : decision.Reason;
                var failed = await FailAsync(job, $"rejected by {by}: {reason}", ct);
                await CloseAbandonedPullRequestAsync(job, job.PullRequestNumber, $"the merge was rejected by {by}", ct);
                return failed;
            default:
                return Ignored(job, decision.Approved ? "approval" : "rejection");
        }
    }

    /// <summary>
    /// Closes the pull request of a job that was stopped or rejected, if <see cref="WorkflowOptions.ClosePullRequestOnStop"/>
    /// says so. Best effort: a host failure is logged and the pull request stays open.
    /// </summary>
    public async Task CloseAbandonedPullRequestAsync(JobRecord job, int? number, string reason, CancellationToken ct)
    {
        if (!_options.ClosePullRequestOnStop || number is null || !TryParse(job, out var repository, out _))
        {
            return;
        }

        try
        {
            var host = hosts.For(repository);
            if ((await host.GetPullRequestAsync(repository, number.Value, ct)).State != PullRequestState.Open)
            {
                return;
            }

            await host.CommentAsync(repository, number.Value, $"Closed by MultiAgent: {reason}.", ct);
            await host.ClosePullRequestAsync(repository, number.Value, ct);
            await RecordAsync(job.Id, JobEventTypes.PullRequestClosed, Invariant($"pull request #{number} closed: {reason}"), ct);
        }
        catch (RepositoryHostException ex)
        {
            LogCloseFailed(job.Id, number.Value, ex.Message);
        }
    }

    /// <summary>
    /// Null when the pull request carries the review <paramref name="review"/> reports; else the refusal (recorded on
    /// the job's timeline, the job unchanged). Anyone who may publish to the Repo Manager's queue can send a
    /// <see cref="ReviewResult"/>, so before acting on one the Repo Manager requires a review on the pull request:
    /// <list type="bullet">
    /// <item>marked with the result's task (<see cref="ReviewMarks.TaskLine"/>), and that task is the review request
    /// this Repo Manager sent for this job and iteration (the first follow-up of its implementation.result task);</item>
    /// <item>for the job's current head commit;</item>
    /// <item>whose decision is the result's;</item>
    /// <item>whose recorded result (<see cref="ReviewMarks.ReadResult(string)"/>) has the same job, task, iteration and
    /// decision;</item>
    /// <item>posted by this system: its author is the host's identity (<see cref="IRepositoryHost.GetIdentityAsync"/>,
    /// the GitHub token's login), when the host has one. Anyone who may review the pull request can copy the marks.</item>
    /// </list>
    /// A host failure while listing or asking for the identity is thrown when retryable (the task is retried) and fails
    /// the job when not, like the other host calls here.
    /// </summary>
    private async Task<TaskResult?> VerifyAsync(JobRecord job, ReviewResult review, CancellationToken ct)
    {
        if (job.PullRequestNumber is not { } number || job.HeadSha is null || !TryParse(job, out var repository, out _))
        {
            return await RefuseAsync(job, review, "the job has no pull request to check it against", ct);
        }

        if (!await RequestedAsync(job, review, ct))
        {
            return await RefuseAsync(job, review, Invariant($"its task '{review.TaskId}' is not a review this job requested for iteration {review.Iteration}"), ct);
        }

        var host = hosts.For(repository);
        IReadOnlyList<PostedReview> posted;
        try
        {
            posted = await host.ListReviewsAsync(repository, number, ct);
        }
        catch (RepositoryHostException ex) when (!ex.IsRetryable)
        {
            return await FailAsync(job, Invariant($"the reviews of pull request #{number} could not be read to check the Reviewer's result: {ex.Message}"), ct);
        }

        var matching = posted.Where(p =>
            ReviewMarks.IsMarkedFor(p.Body, review.TaskId)
            && string.Equals(p.CommitSha, job.HeadSha, StringComparison.OrdinalIgnoreCase)
            && p.Decision == review.Decision
            && ReviewMarks.ReadResult(p.Body) is { } recorded
            && recorded.JobId == job.Id && recorded.TaskId == review.TaskId && recorded.Iteration == review.Iteration
            && recorded.Decision == review.Decision && recorded.Error is null).ToList();
        if (matching.Count == 0)
        {
            return await RefuseAsync(job, review, Invariant($"no matching review on pull request #{number}"), ct);
        }

        string? identity;
        try
        {
            identity = await host.GetIdentityAsync(ct);
        }
        catch (RepositoryHostException ex) when (!ex.IsRetryable)
        {
            return await FailAsync(job, Invariant($"this system's account on the repository host could not be read to check who posted the review of pull request #{number}: {ex.Message}"), ct);
        }

        if (matching.Any(p => p.IsBy(identity)))
        {
            return null;
        }

        var authors = string.Join(", ", matching.Select(p => p.Author is null ? "an unknown account" : $"'{p.Author}'").Distinct(StringComparer.Ordinal));
        return await RefuseAsync(job, review, Invariant($"the matching review on pull request #{number} is by {authors}, not by this system's account '{identity}'"), ct);
    }

    /// <summary>
    /// Whether <paramref name="review"/>'s task id is one this Repo Manager gave a review request of this job and
    /// iteration: the first follow-up id (<see cref="TaskContext.FollowUpId"/>) of a Repo Manager implementation.result
    /// task of the job, whose result was for that iteration.
    /// </summary>
    private async Task<bool> RequestedAsync(JobRecord job, ReviewResult review, CancellationToken ct)
    {
        var suffix = TaskContext.FollowUpId("", 0);
        if (!review.TaskId.EndsWith(suffix, StringComparison.Ordinal) || review.TaskId.Length == suffix.Length)
        {
            return false;
        }

        var parent = await tasks.GetAsync(review.TaskId[..^suffix.Length], ct);
        return parent is { AgentType: AgentType.RepoManager, MessageType: MessageTypes.ImplementationResult, Payload: { ValueKind: JsonValueKind.Object } payload }
            && parent.JobId == job.Id
            && payload.TryGetProperty("iteration", out var iteration) && iteration.ValueKind == JsonValueKind.Number
            && iteration.TryGetInt32(out var n) && n == review.Iteration;
    }

    private async Task<TaskResult> RefuseAsync(JobRecord job, ReviewResult review, string why, CancellationToken ct)
    {
        var message = Invariant($"a review result for iteration {review.Iteration} was refused: {why}");
        await RecordAsync(job.Id, JobEventTypes.ReviewRefused, message, ct, Data(new JsonObject
        {
            ["iteration"] = review.Iteration,
            ["decision"] = Wire(review.Decision),
            ["taskId"] = review.TaskId,
            ["number"] = job.PullRequestNumber,
        }));
        LogRefused(job.Id, review.Iteration, why);
        return new TaskResult($"{message} (ignored)");
    }

    private async Task<TaskResult> NextIterationAsync(TaskContext context, JobRecord job, ReviewResult review, CancellationToken ct)
    {
        var next = review.Iteration + 1;
        if (job.Budget?.Exceeded(job.Tokens) is { } overBudget)
        {
            return await FailAsync(job, overBudget, ct);
        }

        var comments = review.Comments.Count > 0 || string.IsNullOrWhiteSpace(review.Summary)
            ? review.Comments
            : [new ReviewComment("", ReviewCommentSeverity.Blocking, review.Summary)];
        await MoveAsync(job, JobStatus.Implementing, new JobChanges { Iteration = next },
            Invariant($"iteration {next} of {job.MaxIterations}: the Reviewer requested changes ({review.Comments.Count} comment(s)); the Coder revises pull request #{job.PullRequestNumber}"),
            ct);
        return new TaskResult(Invariant($"changes requested; iteration {next} requested"),
            FollowUps: [Implementation(context, job, next, comments)]);
    }

    private async Task<TaskResult> MergeAsync(TaskContext context, JobRecord job, string why, CancellationToken ct)
    {
        if (job.PullRequestNumber is not { } number || job.HeadSha is null || !TryParse(job, out var repository, out var invalid))
        {
            return await FailAsync(job, "there is no reviewed pull request to merge", ct);
        }

        await MoveAsync(job, JobStatus.Merging, JobChanges.None, Invariant($"{why}: pull request #{number} into {job.BaseBranch}"), ct);
        string mergeCommit;
        try
        {
            var host = hosts.For(repository);
            await using (await mergeGate.EnterAsync(repository.Key, ct))
            {
                var pullRequest = await host.GetPullRequestAsync(repository, number, ct);
                switch (pullRequest.State)
                {
                    case PullRequestState.Merged when pullRequest.MergeCommitSha is { } merged:
                        mergeCommit = merged; // merged by an earlier attempt that did not get to record it
                        break;
                    case PullRequestState.Closed:
                        return await FailAsync(job, Invariant($"pull request #{number} was closed without merging"), ct);
                    default:
                        mergeCommit = (await host.MergeAsync(repository, number, job.HeadSha, _options.MergeMethod, ct)).MergeCommitSha;
                        break;
                }
            }
        }
        catch (RepositoryHostException ex) when (!ex.IsRetryable && ex.Kind == RepositoryErrorKind.MergeConflict)
        {
            return await ConflictAsync(context, job, number, ex.Message, ct);
        }
        catch (RepositoryHostException ex) when (!ex.IsRetryable)
        {
            return await FailAsync(job, Invariant($"merge failed: pull request #{number} could not be merged into {job.BaseBranch}: {ex.Message}"), ct);
        }

        var summary = Invariant($"pull request #{number} merged into {job.BaseBranch} as {Short(mergeCommit)} after {job.Iteration} iteration(s)");
        var result = new FeatureResult(job.Id, JobStatus.Completed, _time.GetUtcNow(), job.PullRequestUrl, mergeCommit, job.Iteration, summary, TokenUsage: job.Tokens);
        await TransitionAsync(job.Id, JobStatus.Completed, new JobChanges { MergeCommitSha = mergeCommit }, ct,
            new NewJobEvent(JobEventTypes.JobMerged, summary, Data(new JsonObject { ["number"] = number, ["mergeCommitSha"] = mergeCommit })),
            new NewJobEvent(JobEventTypes.JobCompleted, $"job completed: {summary}",
                JsonDocument.Parse(MessageSerializer.SerializeMessage(result)).RootElement.Clone()));

        return new TaskResult(summary);
    }

    /// <summary>
    /// The reviewed pull request does not merge: the base branch changed under it. Back to the Coder (iteration n + 1,
    /// same branch and pull request) to bring the base in and resolve the conflict, then through review again; once the
    /// job has had <see cref="WorkflowOptions.MaxConflictRounds"/> such rounds, it fails and its pull request is closed.
    /// </summary>
    private async Task<TaskResult> ConflictAsync(TaskContext context, JobRecord job, int number, string detail, CancellationToken ct)
    {
        var reason = Invariant($"merge conflict: pull request #{number} could not be merged into {job.BaseBranch}: {detail.TrimEnd('.', ' ')}");
        if (job.ConflictRounds >= _options.MaxConflictRounds)
        {
            var failed = await FailAsync(job, job.ConflictRounds == 0
                ? $"{reason}; nothing was merged (MultiAgent:Workflow:MaxConflictRounds is 0)"
                : Invariant($"{reason}; still after {job.ConflictRounds} conflict round(s), the most MultiAgent:Workflow:MaxConflictRounds allows"), ct);
            await CloseAbandonedPullRequestAsync(job, number, "its merge conflicts with the base branch were not resolved", ct);
            return failed;
        }

        var next = job.Iteration + 1;
        var round = job.ConflictRounds + 1;
        await MoveAsync(job with { Status = JobStatus.Merging }, JobStatus.Implementing, new JobChanges { Iteration = next, ConflictRounds = round },
            Invariant($"{reason}; iteration {next}: the Coder brings {job.BaseBranch} into its branch and resolves the conflict (conflict round {round} of {_options.MaxConflictRounds}), then the Reviewer reviews it again"),
            ct);
        return ConflictRound(context, job with { Iteration = next, ConflictRounds = round }, Invariant($"merge conflict; conflict round {round} requested"));
    }

    /// <summary>The Coder's request for the job's current iteration, a conflict round: bring the base in, resolve the conflict.</summary>
    private static TaskResult ConflictRound(TaskContext context, JobRecord job, string summary) =>
        new(summary, FollowUps: [Implementation(context, job, job.Iteration, [], mergeBase: true)]);

    private async Task<TaskResult> FailAsync(JobRecord job, string reason, CancellationToken ct)
    {
        await TransitionAsync(job.Id, JobStatus.Failed, new JobChanges { Error = reason }, ct,
            new NewJobEvent(JobEventTypes.JobFailed, $"job failed: {reason}"));

        return new TaskResult($"job failed: {reason}");
    }

    private Task<bool> MoveAsync(JobRecord job, JobStatus to, JobChanges changes, string message, CancellationToken ct)
    {
        var iteration = changes.Iteration ?? job.Iteration;
        return TransitionAsync(job.Id, to, changes, ct,
            new NewJobEvent(JobEventTypes.JobTransition, $"{Wire(job.Status)} → {Wire(to)}: {message}",
                Data(new JsonObject { ["from"] = Wire(job.Status), ["to"] = Wire(to), ["iteration"] = iteration })));
    }

    /// <summary>The job's new state and the timeline entries that tell of it, stored together (or not at all).</summary>
    private Task<bool> TransitionAsync(string jobId, JobStatus to, JobChanges changes, CancellationToken ct, params NewJobEvent[] entries) =>
        timeline.TransitionAsync(jobId, to, changes, entries, agentType: AgentType.RepoManager, cancellationToken: ct);

    /// <summary>
    /// Records a budget warning when the task that used <paramref name="task"/> took the job past 80 % of its budget
    /// (<paramref name="job"/> was read after that task's usage was added to it).
    /// </summary>
    private async Task WarnOfBudgetAsync(JobRecord job, TokenUsage task, CancellationToken ct)
    {
        if (job.Budget is not { } budget)
        {
            return;
        }

        var before = new TokenUsage(
            job.Tokens.InputTokens - task.InputTokens, job.Tokens.OutputTokens - task.OutputTokens, job.Tokens.Cost - (task.Cost ?? 0));
        if (budget.CrossedWarning(before, job.Tokens) is { } warning)
        {
            await RecordAsync(job.Id, JobEventTypes.BudgetWarning, warning, ct,
                Data(new JsonObject { ["tokens"] = job.Tokens.Total, ["budgetTokens"] = budget.Tokens, ["cost"] = job.Tokens.Cost, ["budgetCost"] = budget.Cost }));
        }
    }

    private Task RecordAsync(string jobId, string type, string message, CancellationToken ct, JsonElement? data = null) =>
        timeline.RecordAsync(jobId, type, message, agentType: AgentType.RepoManager, data: data, cancellationToken: ct);

    private async Task<JobRecord> LoadAsync(TaskContext context, CancellationToken ct) =>
        await jobs.GetAsync(context.JobId, ct)
        ?? throw new NonRetryableTaskException($"no job '{context.JobId}' is recorded");

    private TaskResult Ignored(JobRecord job, string what)
    {
        LogIgnored(job.Id, what, job.Status.ToString(), job.Iteration);
        return new TaskResult(Invariant($"{what} ignored: the job is {Wire(job.Status)} in iteration {job.Iteration}"));
    }

    private static TaskEnvelope Implementation(
        TaskContext context, JobRecord job, int iteration, IReadOnlyList<ReviewComment> comments, bool mergeBase = false) =>
        MessageSerializer.Wrap(
            new ImplementationRequest(
                job.Id, context.NextTaskId(), job.Repository, job.BaseBranch!, job.Title, iteration, job.Description, job.Requirements,
                comments, iteration > 1 ? job.Branch : null, iteration > 1 ? job.PullRequestNumber : null,
                job.Budget, job.Budget is null ? null : job.Tokens, mergeBase),
            AgentType.Coder, job.Id, job.Priority);

    private static bool TryParse(JobRecord job, out RepositoryReference repository, out string problem)
    {
        try
        {
            repository = RepositoryReference.Parse(job.Repository);
            problem = "";
            return true;
        }
        catch (RepositoryHostException ex)
        {
            repository = null!;
            problem = $"'{job.Repository}' is not a repository this system can work on: {ex.Message}";
            return false;
        }
    }

    private static JsonElement Data(JsonObject data) => JsonDocument.Parse(data.ToJsonString()).RootElement.Clone();

    private static string Wire<T>(T value) where T : struct, Enum => WireName<T>.Of(value);

    private static string Short(string sha) => sha[..Math.Min(12, sha.Length)];

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId}: {What} ignored, the job is {Status} in iteration {Iteration}")]
    private partial void LogIgnored(string jobId, string what, string status, int iteration);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId}: a review result for iteration {Iteration} was refused: {Reason}")]
    private partial void LogRefused(string jobId, int iteration, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId}: pull request #{Number} could not be closed: {Reason}")]
    private partial void LogCloseFailed(string jobId, int number, string reason);
}
