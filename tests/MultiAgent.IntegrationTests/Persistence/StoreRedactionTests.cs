using System.Text.Json;
using MultiAgent.Contracts;
using MultiAgent.Persistence;
using MultiAgent.Secrets;
using MultiAgent.IntegrationTests.Infrastructure;

namespace MultiAgent.IntegrationTests.Persistence;

/// <summary>What the stores write to PostgreSQL holds no secret: a job's text, a task's payload, outcome and error, an event.</summary>
[Collection(InfrastructureCollection.Name)]
public sealed class StoreRedactionTests(InfrastructureFixture infrastructure) : StoreTestBase(infrastructure)
{
    private const string Secret = "configured-secret-value-7";
    private const string GitHubShaped = "ghp_StoreTestToken0123456789abcdefghij";

    private readonly SecretRedactor _redactor = new([Secret]);

    [Fact]
    public async Task Secrets_in_a_job_its_tasks_and_its_events_are_masked_before_they_are_stored()
    {
        var jobs = new JobStore(DataSource, Clock, _redactor);
        var tasks = new TaskStore(DataSource, Clock, _redactor);
        var events = new EventLog(DataSource, Clock, _redactor);
        var jobId = NewId("job");
        await jobs.CreateAsync(new JobRecord
        {
            Id = jobId,
            Repository = NewId("acme/redaction"),
            Title = $"Use {Secret}",
            Description = $"token {GitHubShaped}",
            Requirements = [$"key={Secret}"],
        });
        await jobs.MarkFailedAsync(jobId, $"failed with {Secret}");
        var taskId = NewId("task");
        await tasks.BeginAttemptAsync(new TaskStart
        {
            TaskId = taskId,
            JobId = jobId,
            AgentType = AgentType.Coder,
            MessageType = MessageTypes.ImplementationRequest,
            Payload = JsonSerializer.SerializeToElement(new { title = Secret, nested = new[] { GitHubShaped } }),
            LeaseHolder = "coder-test/1",
            LeaseDuration = TimeSpan.FromSeconds(30),
        });
        await tasks.CompleteAsync(taskId, JsonSerializer.SerializeToElement(new { summary = $"used {Secret}" }), TokenUsage.Zero, TimeSpan.Zero);
        var failedTask = NewId("task");
        await tasks.BeginAttemptAsync(new TaskStart
        {
            TaskId = failedTask,
            JobId = jobId,
            AgentType = AgentType.Coder,
            MessageType = MessageTypes.ImplementationRequest,
            LeaseHolder = "coder-test/1",
            LeaseDuration = TimeSpan.FromSeconds(30),
        });
        await tasks.FailAsync(failedTask, AgentTaskStatus.Failed, $"check printed {Secret}");
        await events.AppendAsync(jobId, "check.output", $"printed {Secret}", JsonSerializer.SerializeToElement(new { output = GitHubShaped }));

        var rows = await ScalarAsync<string>(
            """
            SELECT (SELECT row_to_json(j)::text FROM jobs j WHERE id = @id)
                || (SELECT string_agg(row_to_json(t)::text, ' ') FROM tasks t WHERE job_id = @id)
                || (SELECT string_agg(row_to_json(e)::text, ' ') FROM job_events e WHERE job_id = @id)
            """, jobId);
        Assert.DoesNotContain(Secret, rows, StringComparison.Ordinal);
        Assert.DoesNotContain(GitHubShaped, rows, StringComparison.Ordinal);
        Assert.Equal("Use ***", (await jobs.GetAsync(jobId))!.Title);
        Assert.Equal(["key=***"], (await jobs.GetAsync(jobId))!.Requirements);
        Assert.Equal("failed with ***", (await jobs.GetAsync(jobId))!.Error);
        Assert.Equal("check printed ***", (await tasks.GetAsync(failedTask))!.Error);
        Assert.Equal("""{"summary": "used ***"}""", (await tasks.GetAsync(taskId))!.Outcome!.Value.GetRawText());
        Assert.Equal("printed ***", Assert.Single(await events.ReadAsync(jobId)).Message);
    }
}
