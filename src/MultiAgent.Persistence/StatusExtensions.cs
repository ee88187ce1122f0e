using MultiAgent.Contracts;
using MultiAgent.Persistence.Internal;

namespace MultiAgent.Persistence;

/// <summary>Which job and task states are final: the stores never move a record out of them.</summary>
public static class StatusExtensions
{
    /// <summary>COMPLETED, FAILED and CANCELLED jobs are finished for good.</summary>
    public static bool IsTerminal(this JobStatus status) =>
        status is JobStatus.Completed or JobStatus.Failed or JobStatus.Cancelled;

    /// <summary>COMPLETED, FAILED, CANCELLED and DEAD_LETTERED tasks are not worked on again.</summary>
    public static bool IsTerminal(this AgentTaskStatus status) =>
        status is AgentTaskStatus.Completed or AgentTaskStatus.Failed or AgentTaskStatus.Cancelled or AgentTaskStatus.DeadLettered;

    /// <summary>COMPLETED, PARTIAL, FAILED and CANCELLED projects are finished for good.</summary>
    public static bool IsTerminal(this ProjectStatus status) =>
        status is ProjectStatus.Completed or ProjectStatus.Partial or ProjectStatus.Failed or ProjectStatus.Cancelled;

    /// <summary>A feature is settled once its job ended or it was blocked: nothing moves it again.</summary>
    public static bool IsTerminal(this FeatureStatus status) =>
        status is not (FeatureStatus.Waiting or FeatureStatus.Running);

    /// <summary>Wire names of the terminal project states.</summary>
    internal static readonly string[] TerminalProjectStatuses =
        [.. Enum.GetValues<ProjectStatus>().Where(IsTerminal).Select(WireName<ProjectStatus>.Of)];

    /// <summary>Wire names of the terminal job states, for <c>status &lt;&gt; ALL(@terminal)</c>.</summary>
    internal static readonly string[] TerminalJobStatuses =
        [.. Enum.GetValues<JobStatus>().Where(IsTerminal).Select(WireName<JobStatus>.Of)];

    /// <summary>Wire names of the terminal task states.</summary>
    internal static readonly string[] TerminalTaskStatuses =
        [.. Enum.GetValues<AgentTaskStatus>().Where(IsTerminal).Select(WireName<AgentTaskStatus>.Of)];
}
