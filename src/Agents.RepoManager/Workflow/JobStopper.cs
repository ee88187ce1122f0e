using MultiAgent.AgentRuntime.Tasks;
using MultiAgent.Contracts;
using MultiAgent.Persistence;
using NATS.Client.Core;

namespace Agents.RepoManager.Workflow;

/// <summary>
/// Stops a job on request (<c>stop-job</c>, <c>stop-project</c>): CANCELLED with the reason on its timeline, the agent
/// running its task told to stop (the job's cancellation signal), its pull request closed if the settings say so.
/// </summary>
public sealed class JobStopper(JobTimeline timeline, INatsConnection nats, JobWorkflow workflow)
{
    /// <returns>Whether this call stopped it (false: it had ended already).</returns>
    public async Task<bool> StopAsync(JobRecord job, string reason, CancellationToken ct)
    {
        var changed = await timeline.TransitionAsync(job.Id, JobStatus.Cancelled, new JobChanges { Error = reason },
            [new NewJobEvent(JobEventTypes.JobCancelled, $"job cancelled: {reason}")], cancellationToken: ct);
        if (changed)
        {
            // In-flight agent work for this job stops when its agent hears this.
            await nats.PublishAsync(Subjects.JobCancel(job.Id), Array.Empty<byte>(), cancellationToken: ct);
            await workflow.CloseAbandonedPullRequestAsync(job, job.PullRequestNumber, "the job was stopped", ct);
        }

        return changed;
    }
}
