using System.Text.Json.Serialization;

namespace MultiAgent.Contracts;

/// <summary>The kind of agent a task is addressed to.</summary>
[JsonConverter(typeof(WireEnumConverter<AgentType>))]
public enum AgentType
{
    /// <summary>Implements changes and opens pull requests.</summary>
    [JsonStringEnumMemberName("CODER")]
    Coder,

    /// <summary>Reviews pull requests.</summary>
    [JsonStringEnumMemberName("REVIEWER")]
    Reviewer,

    /// <summary>Orchestrates a job: dispatches work, merges on approval.</summary>
    [JsonStringEnumMemberName("REPO_MANAGER")]
    RepoManager,
}
