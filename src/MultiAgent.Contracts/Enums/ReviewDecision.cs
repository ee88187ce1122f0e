using System.Text.Json.Serialization;

namespace MultiAgent.Contracts;

/// <summary>The Reviewer's verdict on a pull request.</summary>
[JsonConverter(typeof(WireEnumConverter<ReviewDecision>))]
public enum ReviewDecision
{
    /// <summary>Ready to merge.</summary>
    [JsonStringEnumMemberName("APPROVE")]
    Approve,

    /// <summary>Needs another implementation iteration.</summary>
    [JsonStringEnumMemberName("REQUEST_CHANGES")]
    RequestChanges,
}
