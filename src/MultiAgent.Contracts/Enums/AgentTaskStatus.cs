using System.Text.Json.Serialization;

namespace MultiAgent.Contracts;

/// <summary>Lifecycle state of a single task (named so because <c>TaskStatus</c> clashes with System.Threading.Tasks.TaskStatus under implicit usings).</summary>
[JsonConverter(typeof(WireEnumConverter<AgentTaskStatus>))]
public enum AgentTaskStatus
{
    /// <summary>Published, not yet picked up.</summary>
    [JsonStringEnumMemberName("PENDING")]
    Pending,

    /// <summary>An agent is working on it.</summary>
    [JsonStringEnumMemberName("IN_PROGRESS")]
    InProgress,

    /// <summary>Finished successfully.</summary>
    [JsonStringEnumMemberName("COMPLETED")]
    Completed,

    /// <summary>Finished unsuccessfully.</summary>
    [JsonStringEnumMemberName("FAILED")]
    Failed,

    /// <summary>Stopped on request.</summary>
    [JsonStringEnumMemberName("CANCELLED")]
    Cancelled,

    /// <summary>Gave up after repeated failures and moved to the dead-letter stream.</summary>
    [JsonStringEnumMemberName("DEAD_LETTERED")]
    DeadLettered,
}
