namespace MultiAgent.Contracts;

/// <summary>What an agent instance is doing, as its heartbeats report it.</summary>
[System.Text.Json.Serialization.JsonConverter(typeof(WireEnumConverter<AgentState>))]
public enum AgentState
{
    /// <summary>Connected, waiting for work.</summary>
    [System.Text.Json.Serialization.JsonStringEnumMemberName("IDLE")]
    Idle,

    /// <summary>Running at least one task.</summary>
    [System.Text.Json.Serialization.JsonStringEnumMemberName("BUSY")]
    Busy,

    /// <summary>Shutting down: takes no new work, finishes or hands back what it holds.</summary>
    [System.Text.Json.Serialization.JsonStringEnumMemberName("DRAINING")]
    Draining,

    /// <summary>Stopped on purpose (its last heartbeat).</summary>
    [System.Text.Json.Serialization.JsonStringEnumMemberName("STOPPED")]
    Stopped,
}
