using MultiAgent.Contracts;

namespace MultiAgent.IntegrationTests.EndToEnd;

/// <summary>
/// Work handed straight to the Coder or the Reviewer, as the Repo Manager's workflow would hand it, for tests of one
/// agent in the running system. The job is recorded first (without the Repo Manager, so no workflow acts on it); the
/// agent's answer to the Repo Manager is read back from the task it published (task id <c>&lt;task&gt;-1</c>).
/// </summary>
public static class DirectTasks
{
    /// <summary>Has the Coder implement <paramref name="feature"/>; the <see cref="ImplementationResult"/> it sent back.</summary>
    public static async Task<ImplementationResult> ImplementAsync(this SystemClient client, Scenario scenario, FeatureRequest feature)
    {
        await client.RecordJobAsync(feature);
        var taskId = NewTaskId("implement");
        await client.SendAsync(Scenario.Implementation(feature, taskId), AgentType.Coder, feature.JobId, taskId);
        await client.WaitForAnswerAsync(scenario, feature.JobId, taskId, AgentType.Coder, MessageTypes.ImplementationResult);
        return await client.TaskMessageAsync<ImplementationResult>(taskId + "-1");
    }

    /// <summary>Has the Reviewer review the Coder's pull request (under a job of its own); the <see cref="ReviewResult"/> it sent back.</summary>
    public static async Task<ReviewResult> ReviewAsync(this SystemClient client, Scenario scenario, ImplementationResult implemented)
    {
        var job = scenario.Feature("Review the change");
        await client.RecordJobAsync(job);
        var taskId = NewTaskId("review");
        await client.SendAsync(scenario.Review(implemented, job.JobId, taskId), AgentType.Reviewer, job.JobId, taskId);
        await client.WaitForAnswerAsync(scenario, job.JobId, taskId, AgentType.Reviewer, MessageTypes.ReviewResult);
        return await client.TaskMessageAsync<ReviewResult>(taskId + "-1");
    }

    /// <summary>Waits until the task completed and its answer reached the Repo Manager; fails at once when the task fails.</summary>
    private static async Task WaitForAnswerAsync(
        this SystemClient client, Scenario scenario, string jobId, string taskId, AgentType agent, string answerType)
    {
        bool Answered(JobStatusReply s) =>
            s.Tasks.Any(t => t.TaskId == taskId && t.Status == AgentTaskStatus.Completed)
            && s.Tasks.Any(t => t.TaskId == taskId + "-1" && t.AgentType == AgentType.RepoManager && t.MessageType == answerType);
        bool Ended(JobStatusReply s) =>
            s.Tasks.Any(t => t.TaskId == taskId && t.Status is AgentTaskStatus.Failed or AgentTaskStatus.DeadLettered or AgentTaskStatus.Cancelled);

        var status = await client.WaitForJobAsync(
            jobId, s => Answered(s) || Ended(s), $"the {agent} to complete task {taskId} and send the Repo Manager a {answerType}", scenario);
        Assert.True(Answered(status), $"The {agent}'s task {taskId} did not complete: {SystemClient.Describe(status)}\n{scenario.Describe()}");
    }

    private static string NewTaskId(string what) => $"{what}-{Guid.NewGuid():N}";
}
