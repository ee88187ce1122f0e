using System.Text.Json;
using System.Text.Json.Nodes;
using MultiAgent.Contracts;

namespace MultiAgent.UnitTests.Contracts;

/// <summary>Building, reading and rejecting <see cref="TaskEnvelope"/>s.</summary>
public class EnvelopeTests
{
    private static readonly DateTimeOffset Now = new(2025, 6, 7, 8, 9, 10, TimeSpan.Zero);

    [Fact]
    public void Wrap_fills_every_envelope_field()
    {
        var envelope = MessageSerializer.Wrap(
            ContractSamples.ReviewRequest(), AgentType.Reviewer, "job-42", TaskPriority.Critical, "msg-1", new FixedTimeProvider(Now));

        Assert.Equal("msg-1", envelope.Id);
        Assert.Equal(MessageTypes.ReviewRequest, envelope.Type);
        Assert.Equal(AgentType.Reviewer, envelope.AgentType);
        Assert.Equal(TaskPriority.Critical, envelope.Priority);
        Assert.Equal(AgentTaskStatus.Pending, envelope.Status);
        Assert.Equal("job-42", envelope.CorrelationId);
        Assert.Equal(TaskEnvelope.CurrentSchemaVersion, envelope.SchemaVersion);
        Assert.Equal(1, TaskEnvelope.CurrentSchemaVersion);
        Assert.Equal(Now, envelope.CreatedAt);
        Assert.Equal(Now, envelope.UpdatedAt);
        Assert.Equal(1, envelope.Attempt);
        Assert.Equal(JsonValueKind.Object, envelope.Payload.ValueKind);
        Assert.Equal("job-42", envelope.Payload.GetProperty("jobId").GetString());
    }

    [Fact]
    public void Wrap_defaults_to_normal_priority_and_a_fresh_guid_id()
    {
        var first = MessageSerializer.Wrap(ContractSamples.ReviewRequest(), AgentType.Reviewer, "job-42");
        var second = MessageSerializer.Wrap(ContractSamples.ReviewRequest(), AgentType.Reviewer, "job-42");

        Assert.Equal(TaskPriority.Normal, first.Priority);
        Assert.Matches("^[0-9a-f]{32}$", first.Id);
        Assert.NotEqual(first.Id, second.Id);
    }

    [Fact]
    public void Wrap_rejects_types_that_are_not_messages_and_blank_ids()
    {
        Assert.Throws<ArgumentException>(() => MessageSerializer.Wrap(TokenUsage.Zero, AgentType.Coder, "job-42"));
        Assert.Throws<ArgumentException>(() => MessageSerializer.Wrap(ContractSamples.ReviewRequest(), AgentType.Reviewer, " "));
        Assert.Throws<ArgumentException>(() => MessageSerializer.Wrap(ContractSamples.ReviewRequest(), AgentType.Reviewer, "job-42", id: ""));
    }

    [Fact]
    public void Envelope_fields_survive_serialization()
    {
        var original = MessageSerializer.Wrap(
            ContractSamples.ReviewResult(), AgentType.RepoManager, "job-42", TaskPriority.High, "msg-7", new FixedTimeProvider(Now))
            with { Status = AgentTaskStatus.DeadLettered, Attempt = 4, UpdatedAt = Now.AddMinutes(5) };

        var copy = MessageSerializer.Deserialize(MessageSerializer.Serialize(original));

        Assert.True(JsonElement.DeepEquals(original.Payload, copy.Payload));
        Assert.Equal(original with { Payload = copy.Payload }, copy);
        Assert.Equal(Now.AddMinutes(5), copy.UpdatedAt);
    }

    [Fact]
    public void Unknown_fields_at_every_level_are_ignored()
    {
        var json = Node(ContractSamples.ReviewResult());
        json["futureEnvelopeField"] = new JsonObject { ["nested"] = new JsonArray(1, 2, 3) };
        json["payload"]!["futurePayloadField"] = "ignored";
        json["payload"]!["tokenUsage"]!["cachedTokens"] = 5;
        json["payload"]!["comments"]![0]!["suggestedFix"] = "ignored too";

        var envelope = MessageSerializer.Deserialize(Bytes(json));
        var result = MessageSerializer.Unwrap<ReviewResult>(envelope);

        var expected = ContractSamples.ReviewResult();
        Assert.Equal(expected.Comments, result.Comments);
        Assert.Equal(expected with { Comments = result.Comments }, result);
    }

    [Fact]
    public void Schema_version_2_is_rejected_naming_both_versions()
    {
        var json = Node(ContractSamples.ReviewRequest());
        json["schemaVersion"] = 2;

        var ex = Assert.Throws<ContractViolationException>(() => MessageSerializer.Deserialize(Bytes(json)));

        Assert.Equal(ContractViolationReason.UnsupportedSchemaVersion, ex.Reason);
        Assert.Equal("schema version 2 is not supported; this build understands 1", ex.Message);
    }

    [Fact]
    public void Schema_version_is_checked_before_the_rest_of_the_shape()
    {
        // A future envelope may look nothing like this one; the version must still be what is reported.
        var bytes = """{"schemaVersion":2,"id":{"parts":["a","b"]}}"""u8.ToArray();

        var ex = Assert.Throws<ContractViolationException>(() => MessageSerializer.Deserialize(bytes));

        Assert.Equal(ContractViolationReason.UnsupportedSchemaVersion, ex.Reason);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("{")]
    [InlineData("not json")]
    [InlineData("[1,2,3]")]
    [InlineData("null")]
    [InlineData("{\"id\":\"x\"} trailing")]
    [InlineData("{\"id\":\"x\",}")]
    public void Malformed_json_is_reported_as_such(string text)
    {
        var ex = Assert.Throws<ContractViolationException>(
            () => MessageSerializer.Deserialize(System.Text.Encoding.UTF8.GetBytes(text)));

        Assert.Equal(ContractViolationReason.MalformedJson, ex.Reason);
    }

    [Theory]
    [InlineData("agentType", "\"JANITOR\"")]
    [InlineData("agentType", "0")]
    [InlineData("attempt", "\"two\"")]
    [InlineData("createdAt", "\"yesterday\"")]
    [InlineData("schemaVersion", "\"1\"")]
    [InlineData("payload", "42")]
    public void Fields_of_the_wrong_shape_are_malformed(string field, string rawValue)
    {
        var json = Node(ContractSamples.ReviewRequest());
        json[field] = JsonNode.Parse(rawValue);

        var ex = Assert.Throws<ContractViolationException>(() =>
            MessageSerializer.Unwrap<ReviewRequest>(MessageSerializer.Deserialize(Bytes(json))));

        Assert.Equal(ContractViolationReason.MalformedJson, ex.Reason);
    }

    [Theory]
    [InlineData("id")]
    [InlineData("type")]
    [InlineData("payload")]
    [InlineData("agentType")]
    [InlineData("correlationId")]
    [InlineData("schemaVersion")]
    public void Missing_or_null_required_envelope_fields_are_reported(string field)
    {
        var removed = Node(ContractSamples.ReviewRequest());
        Assert.True(removed.Remove(field));
        var nulled = Node(ContractSamples.ReviewRequest());
        nulled[field] = null;

        foreach (var json in new[] { removed, nulled })
        {
            var ex = Assert.Throws<ContractViolationException>(() => MessageSerializer.Deserialize(Bytes(json)));
            Assert.Equal(ContractViolationReason.MissingField, ex.Reason);
            Assert.Contains($"'{field}'", ex.Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("id")]
    [InlineData("type")]
    [InlineData("correlationId")]
    public void Blank_identifiers_are_reported_as_missing(string field)
    {
        var json = Node(ContractSamples.ReviewRequest());
        json[field] = " ";

        var ex = Assert.Throws<ContractViolationException>(() => MessageSerializer.Deserialize(Bytes(json)));

        Assert.Equal(ContractViolationReason.MissingField, ex.Reason);
    }

    [Fact]
    public void Optional_envelope_fields_take_their_defaults()
    {
        var json = Node(ContractSamples.ReviewRequest());
        foreach (var field in new[] { "priority", "status", "attempt", "createdAt", "updatedAt" })
        {
            Assert.True(json.Remove(field));
        }

        var envelope = MessageSerializer.Deserialize(Bytes(json));

        Assert.Equal(TaskPriority.Normal, envelope.Priority);
        Assert.Equal(AgentTaskStatus.Pending, envelope.Status);
        Assert.Equal(1, envelope.Attempt);
    }

    [Fact]
    public void Unknown_message_type_is_reported()
    {
        var json = Node(ContractSamples.ReviewRequest());
        json["type"] = "review.explode";

        var ex = Assert.Throws<ContractViolationException>(() => MessageSerializer.Deserialize(Bytes(json)));

        Assert.Equal(ContractViolationReason.UnknownMessageType, ex.Reason);
        Assert.Contains("review.explode", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unwrap_as_the_wrong_type_is_a_type_mismatch()
    {
        var envelope = MessageSerializer.Deserialize(
            MessageSerializer.Serialize(MessageSerializer.Wrap(ContractSamples.ReviewResult(), AgentType.RepoManager, "job-42")));

        var ex = Assert.Throws<ContractViolationException>(() => MessageSerializer.Unwrap<ImplementationResult>(envelope));

        Assert.Equal(ContractViolationReason.TypeMismatch, ex.Reason);
        Assert.Contains(MessageTypes.ReviewResult, ex.Message, StringComparison.Ordinal);
        Assert.Contains(MessageTypes.ImplementationResult, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unwrap_of_an_envelope_with_a_null_payload_reports_it_missing()
    {
        var envelope = MessageSerializer.Wrap(ContractSamples.ReviewRequest(), AgentType.Reviewer, "job-42")
            with { Payload = JsonDocument.Parse("null").RootElement };

        var ex = Assert.Throws<ContractViolationException>(() => MessageSerializer.Unwrap<ReviewRequest>(envelope));

        Assert.Equal(ContractViolationReason.MissingField, ex.Reason);
    }

    [Fact]
    public void Unwrap_reports_a_required_payload_field_that_is_missing()
    {
        var json = Node(ContractSamples.ReviewRequest());
        Assert.True(json["payload"]!.AsObject().Remove("headSha"));
        var envelope = MessageSerializer.Deserialize(Bytes(json));

        var ex = Assert.Throws<ContractViolationException>(() => MessageSerializer.Unwrap<ReviewRequest>(envelope));

        Assert.Equal(ContractViolationReason.MissingField, ex.Reason);
        Assert.Contains("'headSha'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unwrap_reports_a_payload_of_the_wrong_shape_as_malformed()
    {
        var json = Node(ContractSamples.ReviewRequest());
        json["payload"]!["pullRequestNumber"] = "seventeen";
        var envelope = MessageSerializer.Deserialize(Bytes(json));

        var ex = Assert.Throws<ContractViolationException>(() => MessageSerializer.Unwrap<ReviewRequest>(envelope));

        Assert.Equal(ContractViolationReason.MalformedJson, ex.Reason);
        Assert.IsAssignableFrom<JsonException>(ex.InnerException);
    }

    [Fact]
    public void Serialize_refuses_an_envelope_without_payload()
    {
        var envelope = MessageSerializer.Wrap(ContractSamples.ReviewRequest(), AgentType.Reviewer, "job-42") with { Payload = default };

        Assert.Throws<ArgumentException>(() => MessageSerializer.Serialize(envelope));
    }

    private static JsonObject Node(ReviewRequest message) =>
        JsonNode.Parse(MessageSerializer.Serialize(MessageSerializer.Wrap(message, AgentType.Reviewer, "job-42")))!.AsObject();

    private static JsonObject Node(ReviewResult message) =>
        JsonNode.Parse(MessageSerializer.Serialize(MessageSerializer.Wrap(message, AgentType.RepoManager, "job-42")))!.AsObject();

    private static byte[] Bytes(JsonNode json) => System.Text.Encoding.UTF8.GetBytes(json.ToJsonString());
}
