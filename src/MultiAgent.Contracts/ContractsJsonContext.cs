using System.Text.Json.Serialization;

namespace MultiAgent.Contracts;

/// <summary>
/// Source-generated JSON metadata for every contract type: camelCase names, nulls omitted on write,
/// nullable annotations enforced on read, constructor parameters without a default value required,
/// unknown members ignored.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true)]
[JsonSerializable(typeof(TaskEnvelope))]
[JsonSerializable(typeof(FeatureRequest))]
[JsonSerializable(typeof(ImplementationRequest))]
[JsonSerializable(typeof(ImplementationResult))]
[JsonSerializable(typeof(ReviewRequest))]
[JsonSerializable(typeof(ReviewResult))]
[JsonSerializable(typeof(FeatureResult))]
[JsonSerializable(typeof(ApprovalDecision))]
[JsonSerializable(typeof(ReviewComment))]
[JsonSerializable(typeof(TokenUsage))]
[JsonSerializable(typeof(JobEvent))]
[JsonSerializable(typeof(SystemEvent))]
[JsonSerializable(typeof(AgentType))]
[JsonSerializable(typeof(TaskPriority))]
[JsonSerializable(typeof(AgentTaskStatus))]
[JsonSerializable(typeof(JobStatus))]
[JsonSerializable(typeof(ReviewDecision))]
[JsonSerializable(typeof(ReviewCommentSeverity))]
[JsonSerializable(typeof(CheckOutcome))]
[JsonSerializable(typeof(AgentState))]
[JsonSerializable(typeof(AgentHeartbeat))]
[JsonSerializable(typeof(AgentHealth))]
[JsonSerializable(typeof(QueryError))]
[JsonSerializable(typeof(JobStatusQuery))]
[JsonSerializable(typeof(JobStatusReply))]
[JsonSerializable(typeof(ListJobsQuery))]
[JsonSerializable(typeof(ListJobsReply))]
[JsonSerializable(typeof(StopJobRequest))]
[JsonSerializable(typeof(StopJobReply))]
[JsonSerializable(typeof(AgentsQuery))]
[JsonSerializable(typeof(AgentsReply))]
[JsonSerializable(typeof(ApproveJobRequest))]
[JsonSerializable(typeof(RejectJobRequest))]
[JsonSerializable(typeof(ApprovalReply))]
[JsonSerializable(typeof(NotifyTestRequest))]
[JsonSerializable(typeof(NotifyTestReply))]
[JsonSerializable(typeof(ChannelTestResult))]
[JsonSerializable(typeof(ProjectRequest))]
[JsonSerializable(typeof(ProjectStatus))]
[JsonSerializable(typeof(FeatureStatus))]
[JsonSerializable(typeof(ProjectStatusQuery))]
[JsonSerializable(typeof(ProjectStatusReply))]
[JsonSerializable(typeof(ListProjectsQuery))]
[JsonSerializable(typeof(ListProjectsReply))]
[JsonSerializable(typeof(StopProjectRequest))]
[JsonSerializable(typeof(StopProjectReply))]
[JsonSerializable(typeof(ApprovePlanRequest))]
[JsonSerializable(typeof(ApprovePlanReply))]
public sealed partial class ContractsJsonContext : JsonSerializerContext
{
}
