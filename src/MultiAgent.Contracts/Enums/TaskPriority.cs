using System.Text.Json.Serialization;

namespace MultiAgent.Contracts;

/// <summary>Scheduling priority of a task or job.</summary>
[JsonConverter(typeof(WireEnumConverter<TaskPriority>))]
public enum TaskPriority
{
    /// <summary>Background work.</summary>
    [JsonStringEnumMemberName("LOW")]
    Low,

    /// <summary>The default priority.</summary>
    [JsonStringEnumMemberName("NORMAL")]
    Normal,

    /// <summary>Ahead of normal work.</summary>
    [JsonStringEnumMemberName("HIGH")]
    High,

    /// <summary>Ahead of everything else.</summary>
    [JsonStringEnumMemberName("CRITICAL")]
    Critical,
}
