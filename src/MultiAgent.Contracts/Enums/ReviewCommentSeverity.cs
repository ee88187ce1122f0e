using System.Text.Json.Serialization;

namespace MultiAgent.Contracts;

/// <summary>How much a review comment matters.</summary>
[JsonConverter(typeof(WireEnumConverter<ReviewCommentSeverity>))]
public enum ReviewCommentSeverity
{
    /// <summary>An observation; no action needed.</summary>
    [JsonStringEnumMemberName("INFO")]
    Info,

    /// <summary>Worth doing, not required.</summary>
    [JsonStringEnumMemberName("SUGGESTION")]
    Suggestion,

    /// <summary>Must be fixed before approval.</summary>
    [JsonStringEnumMemberName("BLOCKING")]
    Blocking,
}
