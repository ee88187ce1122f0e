using System.Text;
using System.Text.Json;
using MultiAgent.Contracts;

namespace MultiAgent.UnitTests.Contracts;

/// <summary>What the JSON on the wire looks like, checked on the raw text.</summary>
public class WireFormatTests
{
    public static TheoryData<Enum, string> EnumNames => new()
    {
        { AgentType.Coder, "CODER" },
        { AgentType.Reviewer, "REVIEWER" },
        { AgentType.RepoManager, "REPO_MANAGER" },
        { TaskPriority.Low, "LOW" },
        { TaskPriority.Normal, "NORMAL" },
        { TaskPriority.High, "HIGH" },
        { TaskPriority.Critical, "CRITICAL" },
        { AgentTaskStatus.Pending, "PENDING" },
        { AgentTaskStatus.InProgress, "IN_PROGRESS" },
        { AgentTaskStatus.Completed, "COMPLETED" },
        { AgentTaskStatus.Failed, "FAILED" },
        { AgentTaskStatus.Cancelled, "CANCELLED" },
        { AgentTaskStatus.DeadLettered, "DEAD_LETTERED" },
        { JobStatus.Pending, "PENDING" },
        { JobStatus.Implementing, "IMPLEMENTING" },
        { JobStatus.Reviewing, "REVIEWING" },
        { JobStatus.AwaitingApproval, "AWAITING_APPROVAL" },
        { JobStatus.Merging, "MERGING" },
        { JobStatus.Completed, "COMPLETED" },
        { JobStatus.Failed, "FAILED" },
        { JobStatus.Cancelled, "CANCELLED" },
        { ReviewDecision.Approve, "APPROVE" },
        { ReviewDecision.RequestChanges, "REQUEST_CHANGES" },
        { ReviewCommentSeverity.Info, "INFO" },
        { ReviewCommentSeverity.Suggestion, "SUGGESTION" },
        { ReviewCommentSeverity.Blocking, "BLOCKING" },
        { CheckOutcome.NotRun, "NOT_RUN" },
        { CheckOutcome.Passed, "PASSED" },
        { CheckOutcome.Failed, "FAILED" },
    };

    [Theory]
    [MemberData(nameof(EnumNames))]
    public void Enum_members_are_upper_snake_strings_both_ways(Enum value, string wireName)
    {
        var json = JsonSerializer.Serialize(value, value.GetType(), ContractsJsonContext.Default);
        Assert.Equal($"\"{wireName}\"", json);

        var back = JsonSerializer.Deserialize($"\"{wireName}\"", value.GetType(), ContractsJsonContext.Default);
        Assert.Equal(value, back);
    }

    [Fact]
    public void Enum_name_table_covers_every_member_of_every_contract_enum()
    {
        Type[] enums =
        [
            typeof(AgentType), typeof(TaskPriority), typeof(AgentTaskStatus), typeof(JobStatus),
            typeof(ReviewDecision), typeof(ReviewCommentSeverity), typeof(CheckOutcome),
        ];
        var covered = EnumNames.Select(row => (Enum)row[0]).ToHashSet();

        foreach (var type in enums)
        {
            foreach (Enum member in Enum.GetValues(type))
            {
                Assert.Contains(member, covered);
            }
        }
    }

    [Fact]
    public void Integer_enum_values_are_rejected()
    {
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize("1", ContractsJsonContext.Default.ReviewDecision));
        Assert.Throws<JsonException>(() => JsonSerializer.Serialize((ReviewDecision)42, ContractsJsonContext.Default.ReviewDecision));
    }

    [Fact]
    public void Envelope_and_payload_enums_appear_as_upper_snake_strings()
    {
        var envelope = MessageSerializer.Wrap(ContractSamples.ReviewResult(), AgentType.RepoManager, "job-42", TaskPriority.Critical);

        var text = Encoding.UTF8.GetString(MessageSerializer.Serialize(envelope));

        Assert.Contains("\"agentType\":\"REPO_MANAGER\"", text, StringComparison.Ordinal);
        Assert.Contains("\"priority\":\"CRITICAL\"", text, StringComparison.Ordinal);
        Assert.Contains("\"status\":\"PENDING\"", text, StringComparison.Ordinal);
        Assert.Contains("\"type\":\"review.result\"", text, StringComparison.Ordinal);
        Assert.Contains("\"decision\":\"REQUEST_CHANGES\"", text, StringComparison.Ordinal);
        Assert.Contains("\"severity\":\"BLOCKING\"", text, StringComparison.Ordinal);
        Assert.Contains("\"severity\":\"INFO\"", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Property_names_are_camel_case_at_every_level()
    {
        foreach (var message in ContractSamples.AllMessages())
        {
            var text = Encoding.UTF8.GetString(MessageSerializer.SerializeMessage(message));
            using var document = JsonDocument.Parse(text);
            foreach (var name in PropertyNames(document.RootElement))
            {
                Assert.True(char.IsLower(name[0]), $"'{name}' in {message.GetType().Name} is not camelCase");
            }
        }

        var envelopeText = Encoding.UTF8.GetString(
            MessageSerializer.Serialize(MessageSerializer.Wrap(ContractSamples.ImplementationRequest(), AgentType.Coder, "job-42")));
        foreach (var name in new[]
                 {
                     "id", "type", "agentType", "priority", "status", "correlationId", "schemaVersion",
                     "createdAt", "updatedAt", "attempt", "payload", "previousReviewComments", "existingPullRequestNumber",
                 })
        {
            Assert.Contains($"\"{name}\":", envelopeText, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Nulls_are_omitted_and_token_total_is_not_serialized()
    {
        var result = ContractSamples.ImplementationResult() with { PullRequestNumber = null, CheckOutput = null, Error = null };

        var text = Encoding.UTF8.GetString(MessageSerializer.SerializeMessage(result));

        Assert.DoesNotContain("pullRequestNumber", text, StringComparison.Ordinal);
        Assert.DoesNotContain("checkOutput", text, StringComparison.Ordinal);
        Assert.DoesNotContain("error", text, StringComparison.Ordinal);
        Assert.DoesNotContain("null", text, StringComparison.Ordinal);
        Assert.Contains("\"tokenUsage\":{\"inputTokens\":12000000000,\"outputTokens\":3400}", text, StringComparison.Ordinal);
        Assert.DoesNotContain("total", text, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void A_hand_written_envelope_is_read_field_by_field()
    {
        var bytes = """
            {
              "id": "msg-9",
              "type": "review.result",
              "agentType": "REPO_MANAGER",
              "priority": "HIGH",
              "status": "IN_PROGRESS",
              "correlationId": "job-9",
              "schemaVersion": 1,
              "createdAt": "2025-01-02T03:04:05+00:00",
              "updatedAt": "2025-01-02T03:05:05+00:00",
              "attempt": 3,
              "payload": {
                "jobId": "job-9",
                "taskId": "task-9",
                "iteration": 2,
                "decision": "REQUEST_CHANGES",
                "summary": "Fix the bug.",
                "comments": [ { "file": "a.cs", "line": 4, "severity": "BLOCKING", "body": "Off by one." } ],
                "tokenUsage": { "inputTokens": 10, "outputTokens": 5 }
              }
            }
            """u8.ToArray();

        var envelope = MessageSerializer.Deserialize(bytes);
        var review = MessageSerializer.Unwrap<ReviewResult>(envelope);

        Assert.Equal("msg-9", envelope.Id);
        Assert.Equal(AgentType.RepoManager, envelope.AgentType);
        Assert.Equal(TaskPriority.High, envelope.Priority);
        Assert.Equal(AgentTaskStatus.InProgress, envelope.Status);
        Assert.Equal("job-9", envelope.CorrelationId);
        Assert.Equal(new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero), envelope.CreatedAt);
        Assert.Equal(new DateTimeOffset(2025, 1, 2, 3, 5, 5, TimeSpan.Zero), envelope.UpdatedAt);
        Assert.Equal(3, envelope.Attempt);
        Assert.Equal("job-9", review.JobId);
        Assert.Equal("task-9", review.TaskId);
        Assert.Equal(2, review.Iteration);
        Assert.Equal(ReviewDecision.RequestChanges, review.Decision);
        Assert.Equal("Fix the bug.", review.Summary);
        var comment = Assert.Single(review.Comments);
        Assert.Equal(new ReviewComment("a.cs", ReviewCommentSeverity.Blocking, "Off by one.", Line: 4), comment);
        Assert.Equal(new TokenUsage(10, 5), review.TokenUsage);
        Assert.Equal(15, review.TokenUsage.Total);
        Assert.Null(review.Error);
    }

    [Fact]
    public void Omitted_optional_fields_come_back_as_empty_collections_and_defaults()
    {
        var feature = MessageSerializer.DeserializeMessage<FeatureRequest>(
            """{"jobId":"j","repository":"o/r","title":"t","submittedAt":"2025-01-01T00:00:00Z"}"""u8);
        Assert.NotNull(feature.Requirements);
        Assert.Empty(feature.Requirements);
        Assert.Equal("", feature.Description);
        Assert.Null(feature.BaseBranch);
        Assert.Null(feature.RequestedBy);
        Assert.Equal(TaskPriority.Normal, feature.Priority);
        Assert.Equal(3, feature.MaxIterations);
        Assert.False(feature.RequireApproval);

        var implementation = MessageSerializer.DeserializeMessage<ImplementationRequest>(
            """{"jobId":"j","taskId":"t","repository":"o/r","baseBranch":"main","title":"t","iteration":1}"""u8);
        Assert.NotNull(implementation.Requirements);
        Assert.Empty(implementation.Requirements);
        Assert.NotNull(implementation.PreviousReviewComments);
        Assert.Empty(implementation.PreviousReviewComments);
        Assert.Null(implementation.ExistingBranch);
        Assert.Null(implementation.ExistingPullRequestNumber);

        var result = MessageSerializer.DeserializeMessage<ImplementationResult>(
            """{"jobId":"j","taskId":"t","iteration":1,"succeeded":false}"""u8);
        Assert.NotNull(result.FilesChanged);
        Assert.Empty(result.FilesChanged);
        Assert.Equal(CheckOutcome.NotRun, result.Check);
        Assert.Equal(TokenUsage.Zero, result.TokenUsage);
        Assert.Equal("", result.Branch);

        var review = MessageSerializer.DeserializeMessage<ReviewResult>(
            """{"jobId":"j","taskId":"t","iteration":1,"decision":"APPROVE"}"""u8);
        Assert.NotNull(review.Comments);
        Assert.Empty(review.Comments);
        Assert.Equal(TokenUsage.Zero, review.TokenUsage);
    }

    [Fact]
    public void Omitted_collections_in_an_envelope_payload_come_back_empty()
    {
        var envelope = MessageSerializer.Wrap(ContractSamples.ImplementationRequest(), AgentType.Coder, "job-42");
        var node = System.Text.Json.Nodes.JsonNode.Parse(MessageSerializer.Serialize(envelope))!;
        Assert.True(node["payload"]!.AsObject().Remove("requirements"));
        Assert.True(node["payload"]!.AsObject().Remove("previousReviewComments"));

        var request = MessageSerializer.Unwrap<ImplementationRequest>(
            MessageSerializer.Deserialize(Encoding.UTF8.GetBytes(node.ToJsonString())));

        Assert.NotNull(request.Requirements);
        Assert.Empty(request.Requirements);
        Assert.NotNull(request.PreviousReviewComments);
        Assert.Empty(request.PreviousReviewComments);
    }

    [Fact]
    public void Bare_messages_are_validated_too()
    {
        Assert.Equal(
            ContractViolationReason.MalformedJson,
            Assert.Throws<ContractViolationException>(() => MessageSerializer.DeserializeMessage<ReviewRequest>("{"u8)).Reason);
        Assert.Equal(
            ContractViolationReason.MissingField,
            Assert.Throws<ContractViolationException>(() => MessageSerializer.DeserializeMessage<ReviewRequest>("null"u8)).Reason);
        var missing = Assert.Throws<ContractViolationException>(
            () => MessageSerializer.DeserializeMessage<FeatureResult>("""{"jobId":"j","status":"FAILED"}"""u8));
        Assert.Equal(ContractViolationReason.MissingField, missing.Reason);
        Assert.Contains("'completedAt'", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Explicit_null_collections_come_back_empty()
    {
        var feature = MessageSerializer.DeserializeMessage<FeatureRequest>(
            """{"jobId":"j","repository":"o/r","title":"t","submittedAt":"2025-01-01T00:00:00Z","requirements":null}"""u8);
        var review = MessageSerializer.DeserializeMessage<ReviewResult>(
            """{"jobId":"j","taskId":"t","iteration":1,"decision":"APPROVE","comments":null,"tokenUsage":null}"""u8);

        Assert.NotNull(feature.Requirements);
        Assert.Empty(feature.Requirements);
        Assert.NotNull(review.Comments);
        Assert.Empty(review.Comments);
        Assert.Equal(TokenUsage.Zero, review.TokenUsage);
    }

    [Fact]
    public void Explicit_null_for_a_non_nullable_string_is_rejected()
    {
        var ex = Assert.Throws<ContractViolationException>(() => MessageSerializer.DeserializeMessage<FeatureRequest>(
            """{"jobId":"j","repository":"o/r","title":"t","submittedAt":"2025-01-01T00:00:00Z","description":null}"""u8));

        Assert.Equal(ContractViolationReason.MalformedJson, ex.Reason);
    }

    [Fact]
    public void Types_outside_the_context_are_refused()
    {
        Assert.Throws<InvalidOperationException>(() => MessageSerializer.SerializeMessage(new Uri("https://example.com")));
        Assert.Throws<InvalidOperationException>(() => MessageSerializer.DeserializeMessage<Uri>("\"https://example.com\""u8));
    }

    private static IEnumerable<string> PropertyNames(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    yield return property.Name;
                    foreach (var nested in PropertyNames(property.Value))
                    {
                        yield return nested;
                    }
                }

                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    foreach (var nested in PropertyNames(item))
                    {
                        yield return nested;
                    }
                }

                break;
        }
    }
}
