using MultiAgent.Contracts;

namespace MultiAgent.UnitTests.Contracts;

/// <summary>Exact NATS subject, stream and consumer names.</summary>
public class SubjectsTests
{
    [Theory]
    [InlineData(AgentType.Coder, "multiagent.tasks.coder", "multiagent.deadletter.coder", "coder-worker")]
    [InlineData(AgentType.Reviewer, "multiagent.tasks.reviewer", "multiagent.deadletter.reviewer", "reviewer-worker")]
    [InlineData(AgentType.RepoManager, "multiagent.tasks.repomanager", "multiagent.deadletter.repomanager", "repomanager-worker")]
    public void Per_agent_names(AgentType agent, string tasks, string deadLetter, string durable)
    {
        Assert.Equal(tasks, Subjects.Tasks(agent));
        Assert.Equal(deadLetter, Subjects.DeadLetter(agent));
        Assert.Equal(durable, Subjects.DurableConsumer(agent));
    }

    [Fact]
    public void Constants()
    {
        Assert.Equal(["multiagent.tasks.coder", "multiagent.tasks.reviewer", "multiagent.tasks.repomanager"], Subjects.AllTaskSubjects);
        Assert.Equal(["multiagent.deadletter.coder", "multiagent.deadletter.reviewer", "multiagent.deadletter.repomanager"], Subjects.AllDeadLetterSubjects);
        Assert.Equal("multiagent.events.>", Subjects.EventsAll);
        Assert.Equal("multiagent.heartbeats.>", Subjects.HeartbeatsAll);
        Assert.Equal("multiagent.query.job.status", Subjects.QueryJobStatus);
        Assert.Equal("multiagent.query.jobs.list", Subjects.QueryJobsList);
        Assert.Equal("multiagent.query.job.stop", Subjects.QueryJobStop);
        Assert.Equal("multiagent.query.agents", Subjects.QueryAgents);
        Assert.Equal("multiagent.query.job.approve", Subjects.QueryJobApprove);
        Assert.Equal("multiagent.query.job.reject", Subjects.QueryJobReject);
        Assert.Equal("MULTIAGENT_TASKS", Subjects.TasksStream);
        Assert.Equal("MULTIAGENT_EVENTS", Subjects.EventsStream);
        Assert.Equal("MULTIAGENT_DEADLETTER", Subjects.DeadLetterStream);
    }

    [Fact]
    public void Events_and_heartbeats()
    {
        Assert.Equal("multiagent.events.job-42.review-completed", Subjects.Event("job-42", "review-completed"));
        Assert.Equal("multiagent.events.job-42.>", Subjects.EventsForJob("job-42"));
        Assert.Equal("multiagent.heartbeats.reviewer.host-1_a", Subjects.Heartbeat(AgentType.Reviewer, "host-1_a"));
        Assert.Equal("multiagent.heartbeats.repomanager.0f3c", Subjects.Heartbeat(AgentType.RepoManager, "0f3c"));
    }

    [Fact]
    public void System_events_are_beside_job_events_on_the_event_stream_under_their_own_root()
    {
        Assert.Equal("multiagent.system.>", Subjects.SystemEventsAll);
        Assert.Equal("multiagent.system.coder.agent_crash_loop", SystemEventTypes.Subject("coder", SystemEventTypes.AgentCrashLoop));
        Assert.Equal("multiagent.system.postgres.agent_restarted", SystemEventTypes.Subject("postgres", SystemEventTypes.AgentRestarted));
        Assert.Throws<ArgumentException>("resource", () => Subjects.SystemEvent("coder.1", "agent_restarted"));
        // Not a job's event: "watch" of every job (multiagent.events.>) does not see them.
        Assert.False(SystemEventTypes.Subject("coder", SystemEventTypes.AgentRestarted).StartsWith(Subjects.EventsAll[..^1], StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("job.42")]
    [InlineData("job*")]
    [InlineData(">")]
    [InlineData("job 42")]
    [InlineData("job\t42")]
    [InlineData("job42\n")]
    public void Bad_tokens_are_rejected(string token)
    {
        Assert.False(Subjects.IsValidToken(token));
        Assert.Throws<ArgumentException>("jobId", () => Subjects.Event(token, "started"));
        Assert.Throws<ArgumentException>("eventType", () => Subjects.Event("job-42", token));
        Assert.Throws<ArgumentException>("jobId", () => Subjects.EventsForJob(token));
        Assert.Throws<ArgumentException>("instanceId", () => Subjects.Heartbeat(AgentType.Coder, token));
    }

    [Fact]
    public void Null_tokens_are_rejected()
    {
        Assert.False(Subjects.IsValidToken(null));
        Assert.Throws<ArgumentNullException>("jobId", () => Subjects.EventsForJob(null!));
        Assert.Throws<ArgumentNullException>("instanceId", () => Subjects.Heartbeat(AgentType.Coder, null!));
    }

    [Fact]
    public void Undefined_agent_types_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Subjects.Tasks((AgentType)99));
        Assert.Throws<ArgumentOutOfRangeException>(() => Subjects.DurableConsumer((AgentType)99));
    }
}
