using MultiAgent.Contracts;
using NATS.Client.Core;

namespace MultiAgent.Messaging;

/// <summary>A query the Repo Manager answered with an error (see <see cref="QueryErrorCodes"/>).</summary>
public sealed class QueryException(QueryError error) : Exception($"{error.Code}: {error.Message}")
{
    public QueryError Error { get; } = error;
}

/// <summary>
/// The client side of the query API (NATS request/reply, answered by the Repo Manager): job status, job lists, stop,
/// approve, reject, agents. Used by the CLI and the tests. An error reply becomes a <see cref="QueryException"/>; no answer within the
/// timeout becomes a <see cref="TimeoutException"/> that says who should have answered.
/// </summary>
public sealed class QueryClient(INatsConnection nats, TimeSpan? timeout = null)
{
    private readonly TimeSpan _timeout = timeout ?? TimeSpan.FromSeconds(10);

    public Task<JobStatusReply> JobStatusAsync(string jobId, CancellationToken cancellationToken = default) =>
        RequestAsync<JobStatusQuery, JobStatusReply>(Subjects.QueryJobStatus, new JobStatusQuery(jobId), cancellationToken);

    public Task<ListJobsReply> ListJobsAsync(ListJobsQuery query, CancellationToken cancellationToken = default) =>
        RequestAsync<ListJobsQuery, ListJobsReply>(Subjects.QueryJobsList, query, cancellationToken);

    public Task<StopJobReply> StopJobAsync(string jobId, string? reason = null, CancellationToken cancellationToken = default) =>
        RequestAsync<StopJobRequest, StopJobReply>(Subjects.QueryJobStop, new StopJobRequest(jobId, reason), cancellationToken);

    public Task<ApprovalReply> ApproveJobAsync(string jobId, string? decidedBy = null, string? comment = null, CancellationToken cancellationToken = default) =>
        RequestAsync<ApproveJobRequest, ApprovalReply>(Subjects.QueryJobApprove, new ApproveJobRequest(jobId, decidedBy, comment), cancellationToken);

    public Task<ApprovalReply> RejectJobAsync(string jobId, string? decidedBy = null, string? reason = null, CancellationToken cancellationToken = default) =>
        RequestAsync<RejectJobRequest, ApprovalReply>(Subjects.QueryJobReject, new RejectJobRequest(jobId, decidedBy, reason), cancellationToken);

    public Task<AgentsReply> AgentsAsync(bool includeStopped = false, CancellationToken cancellationToken = default) =>
        RequestAsync<AgentsQuery, AgentsReply>(Subjects.QueryAgents, new AgentsQuery(includeStopped), cancellationToken);

    public Task<ProjectStatusReply> ProjectStatusAsync(string projectId, CancellationToken cancellationToken = default) =>
        RequestAsync<ProjectStatusQuery, ProjectStatusReply>(Subjects.QueryProjectStatus, new ProjectStatusQuery(projectId), cancellationToken);

    public Task<ListProjectsReply> ListProjectsAsync(ListProjectsQuery query, CancellationToken cancellationToken = default) =>
        RequestAsync<ListProjectsQuery, ListProjectsReply>(Subjects.QueryProjectsList, query, cancellationToken);

    public Task<StopProjectReply> StopProjectAsync(string projectId, string? reason = null, CancellationToken cancellationToken = default) =>
        RequestAsync<StopProjectRequest, StopProjectReply>(Subjects.QueryProjectStop, new StopProjectRequest(projectId, reason), cancellationToken);

    public Task<ApprovePlanReply> ApprovePlanAsync(string projectId, string? decidedBy = null, CancellationToken cancellationToken = default) =>
        RequestAsync<ApprovePlanRequest, ApprovePlanReply>(Subjects.QueryProjectApprove, new ApprovePlanRequest(projectId, decidedBy), cancellationToken);

    /// <summary>Sends raw bytes to a query subject and returns the raw reply (for callers and tests that need them).</summary>
    public Task<NotifyTestReply> NotifyTestAsync(string? channel = null, CancellationToken cancellationToken = default) =>
        RequestAsync<NotifyTestRequest, NotifyTestReply>(Subjects.QueryNotifyTest, new NotifyTestRequest(channel), cancellationToken);

    public async Task<(byte[] Data, bool IsError)> RequestRawAsync(string subject, byte[] request, CancellationToken cancellationToken = default)
    {
        try
        {
            var reply = await nats.RequestAsync<byte[], byte[]>(
                subject, request, replyOpts: new NatsSubOpts { Timeout = _timeout }, cancellationToken: cancellationToken);
            var isError = reply.Headers is { } headers &&
                headers.TryGetValue(QueryHeaders.Status, out var status) && status.ToString() == QueryHeaders.StatusError;
            return (reply.Data ?? [], isError);
        }
        catch (NatsNoRespondersException)
        {
            throw new TimeoutException($"Nobody answers '{subject}': is the Repo Manager running?");
        }
        catch (NatsNoReplyException)
        {
            throw new TimeoutException($"No answer on '{subject}' within {_timeout.TotalSeconds:0}s: is the Repo Manager running?");
        }
    }

    private async Task<TReply> RequestAsync<TRequest, TReply>(string subject, TRequest request, CancellationToken cancellationToken)
    {
        var (data, isError) = await RequestRawAsync(subject, MessageSerializer.SerializeMessage(request), cancellationToken);
        if (isError)
        {
            throw new QueryException(MessageSerializer.DeserializeMessage<QueryError>(data));
        }

        return MessageSerializer.DeserializeMessage<TReply>(data);
    }
}
