using System.Globalization;
using System.Text.Json.Nodes;
using Agents.RepoManager.Workflow;
using Microsoft.Extensions.Options;
using MultiAgent.AgentRuntime.Tasks;
using MultiAgent.Contracts;
using MultiAgent.Messaging;
using MultiAgent.Persistence;
using MultiAgent.Repositories;

namespace Agents.RepoManager.Projects;

/// <summary>
/// Projects: a <see cref="ProjectRequest"/> is planned by the model into features (<see cref="ProjectPlanner"/>), stored,
/// and — once approved, or at once — run: each feature becomes a job (a <see cref="FeatureRequest"/> to this Repo
/// Manager's own queue) when every feature it depends on has merged (<see cref="ProjectScheduler"/>).
/// </summary>
/// <remarks>
/// <para>Crash safety: planning is a task (redelivered until its outcome is stored; a project that has its plan is not
/// planned again). Every other step is <see cref="AdvanceAsync"/>, run under the project's row lock and decided from what
/// is stored, so it may run any number of times: it is run for each event that can move a project (the project started,
/// one of its jobs ended), read from the event stream through a durable consumer (<see cref="ProjectEventListener"/>),
/// so a step that a crash interrupted runs again when the event is redelivered. A feature's job request has a fixed id
/// (<c>&lt;job&gt;-request</c>), so sending it again is absorbed by JetStream and the task store.</para>
/// </remarks>
public sealed partial class ProjectWorkflow(
    ProjectStore projects,
    JobStore jobs,
    JobTimeline timeline,
    ProjectPlanner planner,
    TaskPublisher publisher,
    RepositoryHostResolver hosts,
    JobStopper stopper,
    MultiAgent.Llm.LlmConfiguration models,
    IOptions<ProjectOptions> options,
    ILogger<ProjectWorkflow> logger)
    : ITaskHandler<ProjectRequest>
{
    /// <summary>The most implement/review rounds a project's jobs may have (as the CLI allows).</summary>
    public const int MaxIterations = FeatureRequest.MaxIterationsLimit;

    private readonly ProjectOptions _options = options.Value;

    /// <summary>ProjectRequest: record the project, plan it, store the plan; start it unless the plan waits for approval.</summary>
    public async Task<TaskResult> HandleAsync(TaskContext context, ProjectRequest request, CancellationToken ct)
    {
        if (request.ProjectId != context.JobId)
        {
            throw new NonRetryableTaskException($"the request's project id '{request.ProjectId}' differs from its envelope's '{context.JobId}'");
        }

        // Anyone who may publish to this queue can send one: checked as the CLI checks it before anything is stored.
        if (request.MaxIterations is < 1 or > MaxIterations || string.IsNullOrWhiteSpace(request.Requirements)
            || request.Budget is { IsPositive: false })
        {
            throw new NonRetryableTaskException(
                $"invalid project request: MaxIterations must be 1 to {MaxIterations}, the requirements non-empty and a budget positive");
        }

        var budget = request.Budget ?? _options.DefaultBudget;
        var title = ProjectRequest.TitleOf(request.Requirements);
        var (project, created) = await projects.CreateAsync(new ProjectRecord
        {
            Id = request.ProjectId,
            Repository = request.Repository,
            Title = title,
            Requirements = request.Requirements,
            BaseBranch = request.BaseBranch,
            RequirePlanApproval = request.RequirePlanApproval ?? _options.RequirePlanApproval,
            MaxIterations = request.MaxIterations,
            RequireApproval = request.RequireApproval,
            Budget = budget,
            RequestedBy = request.RequestedBy,
        }, ProjectScheduler.Event(ProjectEventTypes.Created, $"project created for {request.Repository}: {title}"), ct);
        await timeline.PublishAsync(created, ct);
        if (project.Status != ProjectStatus.Planning)
        {
            return new TaskResult($"project request ignored: the project is {Wire(project.Status)}");
        }

        // The planner, the Coder and the Reviewer all need a model: without one, the project fails now, saying how to set one.
        if (models.Problems([AgentType.RepoManager, AgentType.Coder, AgentType.Reviewer]) is { } noModel)
        {
            await FailAsync(project.Id, noModel, ct);
            return new TaskResult($"project failed: {noModel}");
        }

        if (await CheckRepositoryAsync(request.Repository, ct) is { } invalid)
        {
            await FailAsync(project.Id, invalid, ct);
            return new TaskResult($"project failed: {invalid}");
        }

        PlanOutcome plan;
        try
        {
            plan = await planner.PlanAsync(context, request with { Repository = project.Repository }, project.Budget, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException
                                   && (FailureClassifier.Classify(ex) == FailureKind.NonRetryable || context.IsLastAttempt))
        {
            var reason = $"planning failed: {ex.Message}";
            await FailAsync(project.Id, reason, ct);
            return new TaskResult($"project failed: {reason}", context.Spent.Total);
        }

        if (plan.Features is not { } features)
        {
            await FailAsync(project.Id, plan.Error!, ct);
            return new TaskResult($"project failed: {plan.Error}", plan.Usage);
        }

        var start = !project.RequirePlanApproval;
        var planned = ProjectScheduler.Event(ProjectEventTypes.Planned,
            string.Create(CultureInfo.InvariantCulture, $"planned {features.Count} feature(s): {string.Join(", ", features.Select(Describe))}")
            + (start ? "" : $"; waiting for approval (multi-agent approve-plan {project.Id})"),
            new JsonObject { ["features"] = features.Count });
        var stored = await projects.SavePlanAsync(project.Id, features, start ? ProjectStatus.Running : ProjectStatus.Planned,
            start ? [planned, ProjectScheduler.Event(ProjectEventTypes.Started, "the project runs: its plan needed no approval")] : [planned], ct);
        if (stored is null)
        {
            return new TaskResult("plan not stored: the project was planned or stopped meanwhile", plan.Usage);
        }

        await timeline.PublishAsync(stored, ct);
        if (start)
        {
            // The project.started event does this as well (and again after a crash); doing it now saves the round trip.
            await AdvanceAsync(project.Id, ct);
        }

        return new TaskResult(string.Create(CultureInfo.InvariantCulture, $"planned {features.Count} feature(s)"), plan.Usage);
    }

    /// <summary>
    /// One step of the project (see <see cref="ProjectScheduler.Decide"/>): stored with its events, which are then
    /// published, and the requests of the features it started (or that still have no job) sent.
    /// </summary>
    public async Task AdvanceAsync(string projectId, CancellationToken ct)
    {
        ProjectDecision? decision = null;
        var outcome = await projects.StepAsync(projectId, snapshot =>
        {
            decision = ProjectScheduler.Decide(snapshot, _options.MaxParallelJobs);
            return decision.Step;
        }, ct);
        if (outcome is not { } done || decision is null)
        {
            return;
        }

        await timeline.PublishAsync(done.Appended, ct);
        foreach (var feature in decision.Requests)
        {
            var request = FeatureRequestOf(done.Before.Project, feature);
            await publisher.PublishAsync(
                MessageSerializer.Wrap(request, AgentType.RepoManager, request.JobId, id: request.JobId + "-request"), ct);
            LogFeatureRequested(projectId, feature.Key, request.JobId);
        }
    }

    /// <summary>Starts a PLANNED project. Null when there is no such project; else its state before and whether this started it.</summary>
    public async Task<(ProjectStatus Before, bool Started)?> ApproveAsync(string projectId, string? decidedBy, CancellationToken ct)
    {
        var by = string.IsNullOrWhiteSpace(decidedBy) ? "a user" : decidedBy.Trim();
        var outcome = await projects.StepAsync(projectId, snapshot => snapshot.Project.Status == ProjectStatus.Planned
            ? new ProjectStep([], ProjectStatus.Running, Events: [ProjectScheduler.Event(ProjectEventTypes.Started, $"plan approved by {by}; the project runs")])
            : ProjectStep.None, ct);
        if (outcome is not { } done)
        {
            return null;
        }

        await timeline.PublishAsync(done.Appended, ct);
        var started = done.Step.Status == ProjectStatus.Running;
        if (started)
        {
            await AdvanceAsync(projectId, ct);
        }

        return (done.Before.Project.Status, started);
    }

    /// <summary>Stops the project and every running job of it. Null when there is no such project.</summary>
    public async Task<StopProjectReply?> StopAsync(string projectId, string? reason, CancellationToken ct)
    {
        var why = string.IsNullOrWhiteSpace(reason) ? "stopped on request" : reason.Trim();
        var outcome = await projects.StepAsync(projectId, snapshot => ProjectScheduler.Stop(snapshot, why), ct);
        if (outcome is not { } done)
        {
            return null;
        }

        await timeline.PublishAsync(done.Appended, ct);
        var stopped = new List<string>();
        if (!done.Step.IsEmpty)
        {
            foreach (var jobId in ProjectScheduler.RunningJobs(done.Before))
            {
                if (await jobs.GetAsync(jobId, ct) is { } job && await stopper.StopAsync(job, $"the project was stopped: {why}", ct))
                {
                    stopped.Add(jobId);
                }
            }
        }

        // The step's state (CANCELLED) or, for a project that had ended, the one it kept.
        return new StopProjectReply(projectId, done.Step.Status ?? done.Before.Project.Status, !done.Step.IsEmpty, stopped);
    }

    /// <summary>Fails a project that has not ended (planning failed), with the reason.</summary>
    private async Task FailAsync(string projectId, string reason, CancellationToken ct)
    {
        var outcome = await projects.StepAsync(projectId, snapshot => snapshot.Project.Status.IsTerminal()
            ? ProjectStep.None
            : new ProjectStep([], ProjectStatus.Failed, reason,
                [ProjectScheduler.Ended(ProjectStatus.Failed, 0, snapshot.Features.Count, $"project FAILED: {reason}")]), ct);
        if (outcome is { } done)
        {
            await timeline.PublishAsync(done.Appended, ct);
        }
    }

    private FeatureRequest FeatureRequestOf(ProjectRecord project, FeatureRecord feature)
    {
        var description = feature.Description.Length > 0 ? feature.Description : feature.Title;
        return new FeatureRequest(
            feature.JobId!,
            project.Repository,
            feature.Title,
            DateTimeOffset.UtcNow,
            $"{description}\n\n(Feature '{feature.Key}' of project {project.Id}: {project.Title}.)",
            feature.AcceptanceCriteria,
            project.BaseBranch,
            MaxIterations: project.MaxIterations,
            RequireApproval: project.RequireApproval,
            RequestedBy: project.RequestedBy,
            Budget: Remaining(project),
            ProjectId: project.Id);
    }

    /// <summary>What is left of the project's budget, as the budget of its next job (null: no cap).</summary>
    private static JobBudget? Remaining(ProjectRecord project) => project.Budget is not { } budget
        ? null
        : new JobBudget(
            budget.Tokens is { } tokens ? Math.Max(1, tokens - project.Tokens.Total) : null,
            budget.Cost is { } cost ? Math.Max(0.00000001m, cost - (project.Tokens.Cost ?? 0)) : null);

    private async Task<string?> CheckRepositoryAsync(string repository, CancellationToken ct)
    {
        try
        {
            var reference = RepositoryReference.Parse(repository);
            if (reference.Kind == RepositoryHostKind.Local)
            {
                await hosts.For(reference).GetRepositoryAsync(reference, ct);
            }

            return null;
        }
        catch (RepositoryHostException ex) when (!ex.IsRetryable)
        {
            return $"cannot open repository {repository}: {ex.Message}";
        }
    }

    private static string Describe(PlannedFeature feature) =>
        feature.DependsOn.Count == 0 ? $"'{feature.Key}'" : $"'{feature.Key}' (after {string.Join(", ", feature.DependsOn.Select(d => $"'{d}'"))})";

    private static string Wire<T>(T value) where T : struct, Enum => WireName<T>.Of(value);

    [LoggerMessage(Level = LogLevel.Information, Message = "Project {ProjectId}: feature {Feature} requested as job {JobId}")]
    private partial void LogFeatureRequested(string projectId, string feature, string jobId);
}
