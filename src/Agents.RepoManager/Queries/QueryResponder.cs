using System.Globalization;
using Agents.RepoManager.Projects;
using Agents.RepoManager.Registry;
using Agents.RepoManager.Workflow;
using MultiAgent.AgentRuntime.Tasks;
using MultiAgent.Contracts;
using MultiAgent.Messaging;
using MultiAgent.Persistence;
using NATS.Client.Core;

namespace Agents.RepoManager.Queries;

/// <summary>
/// Answers the query API (NATS request/reply on <c>multiagent.query.*</c>) from PostgreSQL and the agent registry:
/// job status with timeline, job lists, stop, approve and reject, agents; project status, lists, stop and plan approval. Every Repo Manager instance joins one queue
/// group, so each request is answered once. A request that cannot be answered gets a <see cref="QueryError"/> reply.
/// </summary>
public sealed partial class QueryResponder(
    INatsConnection nats,
    JobStore jobs,
    ProjectStore projectStore,
    AgentRegistry registry,
    JobStopper stopper,
    ProjectWorkflow projects,
    TaskPublisher publisher,
    TimeProvider time,
    ILogger<QueryResponder> logger,
    MultiAgent.Notifications.NotificationTester? notifications = null) : NatsListener(logger, time)
{
    private const string QueueGroup = "repomanager-queries";
    private const string QuerySubjects = Subjects.Prefix + ".query.>";

    /// <summary>True once the query subscription is in place (part of the Repo Manager's health).</summary>
    public bool IsListening { get; private set; }

    protected override string Subscription => "Query";

    protected override async Task ListenAsync(CancellationToken stoppingToken)
    {
        await using var subscription = await nats.SubscribeCoreAsync<byte[]>(QuerySubjects, QueueGroup, cancellationToken: stoppingToken);
        IsListening = true;
        await foreach (var request in subscription.Msgs.ReadAllAsync(stoppingToken))
        {
            await AnswerAsync(request, stoppingToken);
        }
    }

    protected override void OnLost() => IsListening = false;

    private async Task AnswerAsync(NatsMsg<byte[]> request, CancellationToken cancellationToken)
    {
        if (request.ReplyTo is null)
        {
            return;
        }

        byte[] reply;
        var headers = new NatsHeaders { [QueryHeaders.Status] = QueryHeaders.StatusOk };
        try
        {
            reply = await DispatchAsync(request.Subject, request.Data ?? [], cancellationToken);
        }
        catch (QueryFailure failure)
        {
            headers[QueryHeaders.Status] = QueryHeaders.StatusError;
            reply = MessageSerializer.SerializeMessage(failure.Error);
        }
        catch (ContractViolationException ex)
        {
            headers[QueryHeaders.Status] = QueryHeaders.StatusError;
            reply = MessageSerializer.SerializeMessage(new QueryError(QueryErrorCodes.BadRequest, ex.Message));
        }
        catch (Exception ex) when (ex is Npgsql.NpgsqlException or TimeoutException or InvalidOperationException)
        {
            LogQueryFailed(request.Subject, ex);
            headers[QueryHeaders.Status] = QueryHeaders.StatusError;
            reply = MessageSerializer.SerializeMessage(new QueryError(QueryErrorCodes.Internal, "the Repo Manager could not answer; see its log"));
        }

        await nats.PublishAsync(request.ReplyTo, reply, headers, cancellationToken: cancellationToken);
    }

    private Task<byte[]> DispatchAsync(string subject, byte[] data, CancellationToken ct) => subject switch
    {
        Subjects.QueryJobStatus => JobStatusAsync(MessageSerializer.DeserializeMessage<JobStatusQuery>(data), ct),
        Subjects.QueryJobsList => ListJobsAsync(MessageSerializer.DeserializeMessage<ListJobsQuery>(data), ct),
        Subjects.QueryJobStop => StopJobAsync(MessageSerializer.DeserializeMessage<StopJobRequest>(data), ct),
        Subjects.QueryJobApprove => ApproveAsync(MessageSerializer.DeserializeMessage<ApproveJobRequest>(data), ct),
        Subjects.QueryJobReject => RejectAsync(MessageSerializer.DeserializeMessage<RejectJobRequest>(data), ct),
        Subjects.QueryAgents => Task.FromResult(MessageSerializer.SerializeMessage(
            new AgentsReply(registry.Snapshot(MessageSerializer.DeserializeMessage<AgentsQuery>(data.Length == 0 ? "{}"u8 : data).IncludeStopped)))),
        Subjects.QueryNotifyTest => NotifyTestAsync(MessageSerializer.DeserializeMessage<NotifyTestRequest>(data.Length == 0 ? "{}"u8 : data), ct),
        Subjects.QueryProjectStatus => ProjectStatusAsync(MessageSerializer.DeserializeMessage<ProjectStatusQuery>(data), ct),
        Subjects.QueryProjectsList => ListProjectsAsync(MessageSerializer.DeserializeMessage<ListProjectsQuery>(data.Length == 0 ? "{}"u8 : data), ct),
        Subjects.QueryProjectStop => StopProjectAsync(MessageSerializer.DeserializeMessage<StopProjectRequest>(data), ct),
        Subjects.QueryProjectApprove => ApprovePlanAsync(MessageSerializer.DeserializeMessage<ApprovePlanRequest>(data), ct),
        _ => throw new QueryFailure(QueryErrorCodes.BadRequest, $"'{subject}' is not a query this Repo Manager answers"),
    };

    private async Task<byte[]> NotifyTestAsync(NotifyTestRequest request, CancellationToken ct)
    {
        if (notifications is null)
        {
            return MessageSerializer.SerializeMessage(new NotifyTestReply());
        }

        try
        {
            return MessageSerializer.SerializeMessage(await notifications.TestAsync(request.Channel, ct));
        }
        catch (ArgumentException ex)
        {
            throw new QueryFailure(QueryErrorCodes.BadRequest, ex.Message);
        }
    }

    private async Task<byte[]> JobStatusAsync(JobStatusQuery query, CancellationToken ct)
    {
        ValidateId(query.JobId, "jobId");
        var details = await jobs.GetDetailsAsync(query.JobId, ct) ?? throw NoJob(query.JobId);
        return MessageSerializer.SerializeMessage(new JobStatusReply(
            details.Job.ToSummary(),
            details.Tasks.Select(t => t.ToSummary()).ToList(),
            details.Events.Select(e => e.ToTimelineEntry()).ToList()));
    }

    private async Task<byte[]> ListJobsAsync(ListJobsQuery query, CancellationToken ct)
    {
        CheckPage(query.Limit, query.Offset);

        var page = await jobs.ListAsync(new JobListQuery
        {
            Status = query.Status,
            Repository = string.IsNullOrWhiteSpace(query.Repository) ? null : query.Repository,
            Limit = query.Limit,
            Offset = query.Offset,
        }, ct);
        return MessageSerializer.SerializeMessage(new ListJobsReply(page.Items.Select(j => j.ToSummary()).ToList(), page.Total));
    }

    private async Task<byte[]> StopJobAsync(StopJobRequest request, CancellationToken ct)
    {
        var job = await FindJobAsync(request.JobId, ct);
        var reason = string.IsNullOrWhiteSpace(request.Reason) ? "stopped on request" : request.Reason;
        var changed = await stopper.StopAsync(job, reason, ct);
        var after = await jobs.GetAsync(job.Id, ct) ?? job;
        return MessageSerializer.SerializeMessage(new StopJobReply(job.Id, after.Status, changed));
    }

    private Task<byte[]> ApproveAsync(ApproveJobRequest request, CancellationToken ct) =>
        DecideAsync(request.JobId, approved: true, request.DecidedBy, request.Comment, ct);

    private Task<byte[]> RejectAsync(RejectJobRequest request, CancellationToken ct) =>
        DecideAsync(request.JobId, approved: false, request.DecidedBy, request.Reason, ct);

    /// <summary>
    /// Approve or reject: hands an <see cref="ApprovalDecision"/> to the Repo Manager's workflow (through its task stream,
    /// so the decision survives a restart and gets the task loop's retries) for a job that is AWAITING_APPROVAL. The
    /// envelope id is fixed per job and iteration (a job sent back to the Coder after a merge conflict waits for approval
    /// again in a later iteration), so of two decisions within the de-duplication window only the first is stored;
    /// the second is answered with a conflict. The workflow records the transition that follows.
    /// </summary>
    private async Task<byte[]> DecideAsync(string jobId, bool approved, string? decidedBy, string? reason, CancellationToken ct)
    {
        var job = await FindJobAsync(jobId, ct);
        if (job.Status != JobStatus.AwaitingApproval)
        {
            throw new QueryFailure(QueryErrorCodes.Conflict,
                $"job {job.Id} is {WireName<JobStatus>.Of(job.Status)}, not {WireName<JobStatus>.Of(JobStatus.AwaitingApproval)}: only a job waiting for approval can be {(approved ? "approved" : "rejected")}");
        }

        var decision = new ApprovalDecision(job.Id, approved, Time.GetUtcNow(),
            string.IsNullOrWhiteSpace(decidedBy) ? null : decidedBy.Trim(),
            string.IsNullOrWhiteSpace(reason) ? null : reason.Trim());
        PublishOutcome outcome;
        try
        {
            outcome = await publisher.PublishAsync(
                MessageSerializer.Wrap(decision, AgentType.RepoManager, job.Id, id: string.Create(CultureInfo.InvariantCulture, $"{job.Id}-approval-{job.Iteration}")), ct);
        }
        catch (NatsException ex)
        {
            LogQueryFailed(Subjects.Tasks(AgentType.RepoManager), ex);
            throw new QueryFailure(QueryErrorCodes.Internal, $"the decision on job {job.Id} could not be queued; try again");
        }

        if (outcome.IsDuplicate)
        {
            throw new QueryFailure(QueryErrorCodes.Conflict,
                $"job {job.Id} already has a decision: only the first approve or reject counts");
        }

        return MessageSerializer.SerializeMessage(new ApprovalReply(job.Id, job.Status, approved));
    }

    private async Task<byte[]> ProjectStatusAsync(ProjectStatusQuery query, CancellationToken ct)
    {
        ValidateId(query.ProjectId, "projectId");
        var details = await projectStore.GetDetailsAsync(query.ProjectId, ct) ?? throw NoProject(query.ProjectId);
        return MessageSerializer.SerializeMessage(new ProjectStatusReply(
            details.Project.ToSummary(details.Features),
            details.Features.Select(f => f.ToSummary()).ToList(),
            details.Events.Select(e => e.ToTimelineEntry()).ToList()));
    }

    private async Task<byte[]> ListProjectsAsync(ListProjectsQuery query, CancellationToken ct)
    {
        CheckPage(query.Limit, query.Offset);

        var page = await projectStore.ListAsync(query.Status, query.Limit, query.Offset, ct);
        return MessageSerializer.SerializeMessage(new ListProjectsReply(
            page.Items.Select(p => p.Project.ToSummary(p.Features)).ToList(), page.Total));
    }

    private async Task<byte[]> StopProjectAsync(StopProjectRequest request, CancellationToken ct)
    {
        ValidateId(request.ProjectId, "projectId");
        var reply = await projects.StopAsync(request.ProjectId, request.Reason, ct) ?? throw NoProject(request.ProjectId);
        return MessageSerializer.SerializeMessage(reply);
    }

    private async Task<byte[]> ApprovePlanAsync(ApprovePlanRequest request, CancellationToken ct)
    {
        ValidateId(request.ProjectId, "projectId");
        var (before, started) = await projects.ApproveAsync(request.ProjectId, request.DecidedBy, ct) ?? throw NoProject(request.ProjectId);
        if (!started)
        {
            throw new QueryFailure(QueryErrorCodes.Conflict,
                $"project {request.ProjectId} is {WireName<ProjectStatus>.Of(before)}, not {WireName<ProjectStatus>.Of(ProjectStatus.Planned)}: only a planned project waiting for approval can be approved");
        }

        return MessageSerializer.SerializeMessage(new ApprovePlanReply(request.ProjectId, ProjectStatus.Running));
    }

    /// <summary>A page of a list: 1 to 200 items, from a non-negative offset.</summary>
    private static void CheckPage(int limit, int offset)
    {
        if (limit is < 1 or > 200)
        {
            throw new QueryFailure(QueryErrorCodes.BadRequest, $"limit must be between 1 and 200 (was {limit})");
        }

        if (offset < 0)
        {
            throw new QueryFailure(QueryErrorCodes.BadRequest, $"offset must not be negative (was {offset})");
        }
    }

    private static void ValidateId(string id, string name)
    {
        if (!Subjects.IsValidToken(id))
        {
            throw new QueryFailure(QueryErrorCodes.BadRequest, $"{name} must be a non-empty id without '.', '*', '>' or spaces");
        }
    }

    private static QueryFailure NoProject(string projectId) => new(QueryErrorCodes.NotFound, $"no project '{projectId}'");

    private async Task<JobRecord> FindJobAsync(string jobId, CancellationToken ct)
    {
        ValidateId(jobId, "jobId");
        return await jobs.GetAsync(jobId, ct) ?? throw NoJob(jobId);
    }

    private static QueryFailure NoJob(string jobId) => new(QueryErrorCodes.NotFound, $"no job '{jobId}'");

    private sealed class QueryFailure(string code, string message) : Exception(message)
    {
        public QueryError Error { get; } = new(code, message);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Query on {Subject} failed")]
    private partial void LogQueryFailed(string subject, Exception exception);
}
