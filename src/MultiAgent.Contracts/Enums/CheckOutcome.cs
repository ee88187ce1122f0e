using System.Text.Json.Serialization;

namespace MultiAgent.Contracts;

/// <summary>Result of the build/test check the Coder runs on its change.</summary>
[JsonConverter(typeof(WireEnumConverter<CheckOutcome>))]
public enum CheckOutcome
{
    /// <summary>No check was run.</summary>
    [JsonStringEnumMemberName("NOT_RUN")]
    NotRun,

    /// <summary>The check passed.</summary>
    [JsonStringEnumMemberName("PASSED")]
    Passed,

    /// <summary>The check failed.</summary>
    [JsonStringEnumMemberName("FAILED")]
    Failed,
}
