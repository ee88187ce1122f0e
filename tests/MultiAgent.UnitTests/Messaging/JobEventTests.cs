using System.Text;
using System.Text.Json;
using MultiAgent.Contracts;

namespace MultiAgent.UnitTests.Messaging;

/// <summary>The JobEvent contract: wire format, optional members, required members, subject tokens.</summary>
public sealed class JobEventTests
{
    private static readonly DateTimeOffset At = new(2025, 6, 1, 12, 0, 0, 250, TimeSpan.FromHours(2));

    [Fact]
    public void A_fully_populated_event_round_trips()
    {
        using var data = JsonDocument.Parse("""{"pullRequest":17,"tags":["a","b"]}""");
        var expected = new JobEvent("job-1", JobEventTypes.ReviewPosted, "approved", At, "task-3", AgentType.RepoManager, data.RootElement.Clone(), 4711);

        var actual = MessageSerializer.DeserializeMessage<JobEvent>(MessageSerializer.SerializeMessage(expected));

        Assert.Equal(expected with { Data = null }, actual with { Data = null });
        Assert.Equal(data.RootElement.GetRawText(), actual.Data?.GetRawText());
    }

    [Fact]
    public void The_wire_format_is_camelCase_with_wire_enum_names_and_no_nulls()
    {
        var json = Encoding.UTF8.GetString(MessageSerializer.SerializeMessage(
            new JobEvent("job-1", JobEventTypes.TaskStarted, "go", At, AgentType: AgentType.RepoManager)));

        using var document = JsonDocument.Parse(json);
        var names = document.RootElement.EnumerateObject().Select(p => p.Name).ToArray();
        Assert.Equal(["jobId", "type", "message", "timestamp", "agentType"], names);
        Assert.Equal("REPO_MANAGER", document.RootElement.GetProperty("agentType").GetString());
        Assert.Equal("task.started", document.RootElement.GetProperty("type").GetString());
    }

    [Fact]
    public void An_event_from_the_log_carries_its_entry_id_which_is_its_message_id_on_the_stream()
    {
        var json = Encoding.UTF8.GetString(MessageSerializer.SerializeMessage(new JobEvent("job-1", JobEventTypes.JobCreated, "m", At, EventId: 42)));

        Assert.EndsWith(""","eventId":42}""", json, StringComparison.Ordinal);
        Assert.Equal("job-event-42", MultiAgent.Messaging.EventPublisher.MessageId(42));
    }

    [Fact]
    public void Optional_members_may_be_absent_or_null()
    {
        // The optional parameters' defaults must apply when members are missing (see dotnet/runtime#84484).
        var minimal = MessageSerializer.DeserializeMessage<JobEvent>(
            """{"jobId":"j","type":"job.created","message":"m","timestamp":"2025-06-01T12:00:00Z"}"""u8);
        var nulls = MessageSerializer.DeserializeMessage<JobEvent>(
            """{"jobId":"j","type":"job.created","message":"m","timestamp":"2025-06-01T12:00:00Z","taskId":null,"agentType":null,"data":null}"""u8);

        var expected = new JobEvent("j", "job.created", "m", new DateTimeOffset(2025, 6, 1, 12, 0, 0, TimeSpan.Zero));
        Assert.Equal(expected, minimal);
        Assert.Null(minimal.TaskId);
        Assert.Null(minimal.AgentType);
        Assert.Null(minimal.Data);
        Assert.Null(nulls.TaskId);
        Assert.Null(nulls.AgentType);
        Assert.True(nulls.Data is null || nulls.Data.Value.ValueKind == JsonValueKind.Null, $"data was {nulls.Data?.ValueKind}");
    }

    [Theory]
    [InlineData("""{"type":"job.created","message":"m","timestamp":"2025-06-01T12:00:00Z"}""", "jobId")]
    [InlineData("""{"jobId":"j","message":"m","timestamp":"2025-06-01T12:00:00Z"}""", "type")]
    [InlineData("""{"jobId":"j","type":"job.created","timestamp":"2025-06-01T12:00:00Z"}""", "message")]
    [InlineData("""{"jobId":"j","type":"job.created","message":"m"}""", "timestamp")]
    public void A_missing_required_member_is_a_contract_violation(string json, string member)
    {
        var ex = Assert.Throws<ContractViolationException>(() => MessageSerializer.DeserializeMessage<JobEvent>(Encoding.UTF8.GetBytes(json)));

        Assert.Equal(ContractViolationReason.MissingField, ex.Reason);
        Assert.Contains(member, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_event_type_maps_to_a_single_subject_token()
    {
        Assert.Equal(15, JobEventTypes.All.Count);
        Assert.Equal(JobEventTypes.All.Count, JobEventTypes.All.Distinct(StringComparer.Ordinal).Count());
        foreach (var type in JobEventTypes.All)
        {
            var token = JobEventTypes.ToSubjectToken(type);
            Assert.True(Subjects.IsValidToken(token), token);
            Assert.Equal(type.Replace('.', '_'), token);
            Assert.Equal($"multiagent.events.job-1.{token}", JobEventTypes.Subject("job-1", type));
        }

        Assert.Equal("task_dead_lettered", JobEventTypes.ToSubjectToken(JobEventTypes.TaskDeadLettered));
        Assert.Throws<ArgumentException>(() => JobEventTypes.ToSubjectToken("task.*"));
        Assert.Throws<ArgumentException>(() => JobEventTypes.ToSubjectToken(" "));
        Assert.Throws<ArgumentException>(() => JobEventTypes.Subject("job.1", JobEventTypes.JobCreated));
    }
}
