using System.Text;
using MultiAgent.Contracts;

namespace MultiAgent.UnitTests.Contracts;

public sealed class QueryContractTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Job_status_reply_round_trips_with_tasks_and_timeline()
    {
        var reply = new JobStatusReply(
            new JobSummary("job-1", "/repos/demo.git", "Add a health page", JobStatus.Reviewing, Now, Now.AddMinutes(1),
                Iteration: 2, PullRequestUrl: "local://demo/pulls/1", TokenUsage: new TokenUsage(10, 5)),
            [new TaskSummary("task-1", AgentType.Coder, MessageTypes.ImplementationRequest, AgentTaskStatus.Completed, 2, DurationMs: 1500)],
            [new TimelineEntry(7, "job.created", "created", Now)]);

        var back = MessageSerializer.DeserializeMessage<JobStatusReply>(MessageSerializer.SerializeMessage(reply));

        Assert.Equal(reply.Job, back.Job);
        Assert.Equal(reply.Tasks.Single(), back.Tasks.Single());
        Assert.Equal(7, back.Timeline.Single().Id);
    }

    [Fact]
    public void Omitted_lists_and_usage_come_back_empty()
    {
        var back = MessageSerializer.DeserializeMessage<ListJobsReply>("{\"total\":0}"u8);
        Assert.Empty(back.Jobs);

        var job = MessageSerializer.DeserializeMessage<JobSummary>(Encoding.UTF8.GetBytes(
            "{\"jobId\":\"j\",\"repository\":\"r\",\"title\":\"t\",\"status\":\"PENDING\",\"createdAt\":\"2026-11-25T12:00:00Z\",\"updatedAt\":\"2026-11-25T12:00:00Z\"}"));
        Assert.Equal(TokenUsage.Zero, job.TokenUsage);
    }

    [Fact]
    public void List_query_defaults_and_status_filter_use_wire_names()
    {
        var json = Encoding.UTF8.GetString(MessageSerializer.SerializeMessage(new ListJobsQuery(JobStatus.AwaitingApproval)));

        Assert.Contains("\"status\":\"AWAITING_APPROVAL\"", json);
        var back = MessageSerializer.DeserializeMessage<ListJobsQuery>("{}"u8);
        Assert.Equal(new ListJobsQuery(null, null, 20, 0), back);
    }

    [Fact]
    public void Heartbeat_round_trips_and_computes_its_error_rate()
    {
        var heartbeat = new AgentHeartbeat(AgentType.Reviewer, "reviewer-host-1", AgentState.Busy, Now, Now.AddHours(-1),
            TasksProcessed: 8, TasksFailed: 2, AverageDurationMs: 250, LastCompletedAt: Now, InFlight: 1);

        var json = Encoding.UTF8.GetString(MessageSerializer.SerializeMessage(heartbeat));
        var back = MessageSerializer.DeserializeMessage<AgentHeartbeat>(Encoding.UTF8.GetBytes(json));

        Assert.Equal(heartbeat, back);
        Assert.Equal(0.25, back.ErrorRate);
        Assert.Contains("\"state\":\"BUSY\"", json);
        Assert.DoesNotContain("errorRate", json);
        Assert.Equal(0, heartbeat with { TasksProcessed = 0, TasksFailed = 0 } is { } idle ? idle.ErrorRate : -1);
    }

    [Fact]
    public void Query_error_and_cancel_subject()
    {
        var error = MessageSerializer.DeserializeMessage<QueryError>(
            MessageSerializer.SerializeMessage(new QueryError(QueryErrorCodes.NotFound, "no job 'x'")));

        Assert.Equal("not_found", error.Code);
        Assert.Equal("multiagent.control.cancel.job-9", Subjects.JobCancel("job-9"));
        Assert.Throws<ArgumentException>(() => Subjects.JobCancel("a.b"));
    }
}
