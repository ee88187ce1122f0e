using System.Text.Json.Serialization;

namespace MultiAgent.Contracts;

/// <summary>Lifecycle state of a project: its plan, then its features' jobs.</summary>
[JsonConverter(typeof(WireEnumConverter<ProjectStatus>))]
public enum ProjectStatus
{
    /// <summary>Accepted; the Repo Manager is asking the model for a plan.</summary>
    [JsonStringEnumMemberName("PLANNING")]
    Planning,

    /// <summary>Planned; waiting for a person to approve the plan (<c>multi-agent approve-plan</c>).</summary>
    [JsonStringEnumMemberName("PLANNED")]
    Planned,

    /// <summary>Its features' jobs run, each once every feature it depends on has merged.</summary>
    [JsonStringEnumMemberName("RUNNING")]
    Running,

    /// <summary>Every feature merged.</summary>
    [JsonStringEnumMemberName("COMPLETED")]
    Completed,

    /// <summary>Some features merged; the others failed, were stopped or were blocked by one that did.</summary>
    [JsonStringEnumMemberName("PARTIAL")]
    Partial,

    /// <summary>Planning failed, or no feature merged.</summary>
    [JsonStringEnumMemberName("FAILED")]
    Failed,

    /// <summary>Stopped on request (<c>multi-agent stop-project</c>).</summary>
    [JsonStringEnumMemberName("CANCELLED")]
    Cancelled,
}
