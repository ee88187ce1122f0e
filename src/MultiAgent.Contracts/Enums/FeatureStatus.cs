using System.Text.Json.Serialization;

namespace MultiAgent.Contracts;

/// <summary>Where one planned feature of a project stands.</summary>
[JsonConverter(typeof(WireEnumConverter<FeatureStatus>))]
public enum FeatureStatus
{
    /// <summary>Not started: a feature it depends on has not merged yet, or the project runs as many jobs as it may.</summary>
    [JsonStringEnumMemberName("WAITING")]
    Waiting,

    /// <summary>Its job runs.</summary>
    [JsonStringEnumMemberName("RUNNING")]
    Running,

    /// <summary>Its job merged.</summary>
    [JsonStringEnumMemberName("COMPLETED")]
    Completed,

    /// <summary>Its job failed.</summary>
    [JsonStringEnumMemberName("FAILED")]
    Failed,

    /// <summary>Its job was stopped, or the project was stopped before it started.</summary>
    [JsonStringEnumMemberName("CANCELLED")]
    Cancelled,

    /// <summary>Never started: a feature it depends on failed, was stopped or was blocked itself.</summary>
    [JsonStringEnumMemberName("BLOCKED")]
    Blocked,
}
