using System.Text.Json.Serialization;

namespace MultiAgent.Contracts;

/// <summary>Lifecycle state of a whole feature job.</summary>
[JsonConverter(typeof(WireEnumConverter<JobStatus>))]
public enum JobStatus
{
    /// <summary>Accepted, no work started.</summary>
    [JsonStringEnumMemberName("PENDING")]
    Pending,

    /// <summary>The Coder is implementing (or revising).</summary>
    [JsonStringEnumMemberName("IMPLEMENTING")]
    Implementing,

    /// <summary>The Reviewer is reviewing the pull request.</summary>
    [JsonStringEnumMemberName("REVIEWING")]
    Reviewing,

    /// <summary>Approved by the Reviewer; waiting for a human to approve the merge.</summary>
    [JsonStringEnumMemberName("AWAITING_APPROVAL")]
    AwaitingApproval,

    /// <summary>The Repo Manager is merging the pull request.</summary>
    [JsonStringEnumMemberName("MERGING")]
    Merging,

    /// <summary>Merged.</summary>
    [JsonStringEnumMemberName("COMPLETED")]
    Completed,

    /// <summary>Gave up (error, rejection or iterations exhausted).</summary>
    [JsonStringEnumMemberName("FAILED")]
    Failed,

    /// <summary>Stopped on request.</summary>
    [JsonStringEnumMemberName("CANCELLED")]
    Cancelled,
}
