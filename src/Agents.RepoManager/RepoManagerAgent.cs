using MultiAgent.AgentRuntime.Tasks;
using MultiAgent.Contracts;
using MultiAgent.Persistence;

namespace Agents.RepoManager;

/// <summary>
/// The Repo Manager's task loop. It records each FeatureRequest as a job (idempotently: a redelivered request finds
/// its job and creates nothing). Driving the job through implementation, review and merge is the workflow still to
/// come; until then a recorded job stays PENDING.
/// </summary>
public sealed class RepoManagerAgent(AgentServices services) : BaseAgent(services)
{
    protected override IReadOnlyCollection<string> HandledMessageTypes { get; } = [MessageTypes.FeatureRequest];

    protected override async Task<TaskResult> HandleAsync(TaskContext context, CancellationToken cancellationToken)
    {
        var request = context.Message<FeatureRequest>();
        if (request.JobId != context.JobId)
        {
            throw new NonRetryableTaskException($"the request's job id '{request.JobId}' differs from its envelope's '{context.JobId}'");
        }

        var created = await Services.Jobs.CreateAsync(JobRecord.FromRequest(request), cancellationToken);
        if (created.Created)
        {
            await Services.Timeline.RecordAsync(request.JobId, JobEventTypes.JobCreated,
                $"job created for {request.Repository}: {request.Title}", context.TaskId, AgentType.RepoManager,
                cancellationToken: cancellationToken);
        }

        return new TaskResult(created.Created ? "job recorded" : "job was already recorded");
    }
}
