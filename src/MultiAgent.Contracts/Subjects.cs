using System.Runtime.CompilerServices;

namespace MultiAgent.Contracts;

/// <summary>Every NATS subject, stream and durable consumer name used by the system.</summary>
public static class Subjects
{
    /// <summary>Root token of every subject.</summary>
    public const string Prefix = "multiagent";

    /// <summary>All job events (the subjects of <see cref="EventsStream"/>).</summary>
    public const string EventsAll = Prefix + ".events.>";

    /// <summary>All system events (<see cref="SystemEvent"/>): restarts and crash loops. Also held by <see cref="EventsStream"/>.</summary>
    public const string SystemEventsAll = Prefix + ".system.>";

    /// <summary>All agent heartbeats.</summary>
    public const string HeartbeatsAll = Prefix + ".heartbeats.>";

    /// <summary>Request/reply: status of one job.</summary>
    public const string QueryJobStatus = Prefix + ".query.job.status";

    /// <summary>Request/reply: list jobs.</summary>
    public const string QueryJobsList = Prefix + ".query.jobs.list";

    /// <summary>Request/reply: stop a job.</summary>
    public const string QueryJobStop = Prefix + ".query.job.stop";

    /// <summary>Request/reply: list live agents.</summary>
    public const string QueryAgents = Prefix + ".query.agents";

    /// <summary>Request/reply: send a test notification through the configured channels.</summary>
    public const string QueryNotifyTest = Prefix + ".query.notify.test";

    /// <summary>Request/reply: approve a job awaiting approval.</summary>
    public const string QueryJobApprove = Prefix + ".query.job.approve";

    /// <summary>Request/reply: reject a job awaiting approval.</summary>
    public const string QueryJobReject = Prefix + ".query.job.reject";

    /// <summary>Request/reply: status of one project with its features.</summary>
    public const string QueryProjectStatus = Prefix + ".query.project.status";

    /// <summary>Request/reply: list projects.</summary>
    public const string QueryProjectsList = Prefix + ".query.projects.list";

    /// <summary>Request/reply: stop a project and every running job of it.</summary>
    public const string QueryProjectStop = Prefix + ".query.project.stop";

    /// <summary>Request/reply: approve a project's plan (start it).</summary>
    public const string QueryProjectApprove = Prefix + ".query.project.approve";

    /// <summary>Wildcard of the job-cancellation signals (core NATS): every agent listens, the one running the job's task stops it.</summary>
    public const string JobCancelAll = Prefix + ".control.cancel.*";

    /// <summary>JetStream stream holding the task subject of every agent type (<see cref="Tasks"/>), and no other.</summary>
    public const string TasksStream = "MULTIAGENT_TASKS";

    /// <summary>JetStream stream holding <see cref="EventsAll"/> and <see cref="SystemEventsAll"/>.</summary>
    public const string EventsStream = "MULTIAGENT_EVENTS";

    /// <summary>JetStream stream holding the dead-letter subject of every agent type (<see cref="DeadLetter"/>).</summary>
    public const string DeadLetterStream = "MULTIAGENT_DEADLETTER";

    /// <summary>The subject token of an agent type, its catalogue name: "coder", "reviewer" or "repomanager".</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="agent"/> is not in the <see cref="AgentCatalogue"/>.</exception>
    public static string AgentToken(AgentType agent) => AgentCatalogue.Of(agent).Name;

    /// <summary>Task subject of an agent type, e.g. "multiagent.tasks.coder".</summary>
    public static string Tasks(AgentType agent) => $"{Prefix}.tasks.{AgentToken(agent)}";

    /// <summary>Dead-letter subject of an agent type, e.g. "multiagent.deadletter.coder".</summary>
    public static string DeadLetter(AgentType agent) => $"{Prefix}.deadletter.{AgentToken(agent)}";

    /// <summary>The task subject of every agent type: exactly the subjects of <see cref="TasksStream"/>.</summary>
    public static IReadOnlyList<string> AllTaskSubjects { get; } = [.. AgentCatalogue.Types.Select(Tasks)];

    /// <summary>The dead-letter subject of every agent type: exactly the subjects of <see cref="DeadLetterStream"/>.</summary>
    public static IReadOnlyList<string> AllDeadLetterSubjects { get; } = [.. AgentCatalogue.Types.Select(DeadLetter)];

    /// <summary>Subject of one event of one job: "multiagent.events.&lt;jobId&gt;.&lt;eventType&gt;".</summary>
    /// <exception cref="ArgumentException">A token is empty or contains '.', '*', '&gt;' or whitespace.</exception>
    public static string Event(string jobId, string eventType) =>
        $"{Prefix}.events.{EnsureToken(jobId)}.{EnsureToken(eventType)}";

    /// <summary>Wildcard for every event of one job: "multiagent.events.&lt;jobId&gt;.&gt;".</summary>
    /// <exception cref="ArgumentException"><paramref name="jobId"/> is not a valid token.</exception>
    public static string EventsForJob(string jobId) => $"{Prefix}.events.{EnsureToken(jobId)}.>";

    /// <summary>Subject of one system event about one resource: "multiagent.system.&lt;resource&gt;.&lt;eventType&gt;".</summary>
    /// <exception cref="ArgumentException">A token is empty or contains '.', '*', '&gt;' or whitespace.</exception>
    public static string SystemEvent(string resource, string eventType) =>
        $"{Prefix}.system.{EnsureToken(resource)}.{EnsureToken(eventType)}";

    /// <summary>Heartbeat subject of one agent instance: "multiagent.heartbeats.&lt;agent&gt;.&lt;instanceId&gt;".</summary>
    /// <exception cref="ArgumentException"><paramref name="instanceId"/> is not a valid token.</exception>
    public static string Heartbeat(AgentType agent, string instanceId) =>
        $"{Prefix}.heartbeats.{AgentToken(agent)}.{EnsureToken(instanceId)}";

    /// <summary>The cancellation signal of one job.</summary>
    public static string JobCancel(string jobId) => $"{Prefix}.control.cancel.{EnsureToken(jobId)}";

    /// <summary>The notification channels, each with a durable consumer of its own on <see cref="EventsStream"/>.</summary>
    public static IReadOnlyList<string> NotificationChannels { get; } = ["slack", "discord", "email"];

    /// <summary>Durable consumer of a notification channel on <see cref="EventsStream"/>, e.g. "notify-slack".</summary>
    /// <exception cref="ArgumentException">The channel is not a valid token.</exception>
    public static string NotificationConsumer(string channel) => "notify-" + EnsureToken(channel);

    /// <summary>
    /// The Repo Manager's durable consumer on <see cref="EventsStream"/> that moves projects on: a project started, or a
    /// job of one ended.
    /// </summary>
    public const string ProjectStepsConsumer = "project-steps";

    /// <summary>Durable JetStream consumer name of an agent type's workers, e.g. "coder-worker".</summary>
    public static string DurableConsumer(AgentType agent) => $"{AgentToken(agent)}-worker";

    /// <summary>
    /// The inbox prefix of NATS user <paramref name="user"/>, e.g. "_INBOX_coder": the client's replies (query answers,
    /// JetStream API answers, pulled messages) arrive below it, and the server lets only that user subscribe there.
    /// Null when there is no user name or it cannot be a subject token (the client keeps the default "_INBOX").
    /// </summary>
    public static string? InboxPrefix(string? user) => IsValidToken(user) ? "_INBOX_" + user : null;

    /// <summary>
    /// Whether <paramref name="token"/> can be used as one subject token:
    /// non-empty, no '.', '*', '&gt;', no whitespace and no control character.
    /// </summary>
    public static bool IsValidToken(string? token)
    {
        if (string.IsNullOrEmpty(token))
        {
            return false;
        }

        foreach (var c in token)
        {
            if (c is '.' or '*' or '>' || char.IsWhiteSpace(c) || char.IsControl(c))
            {
                return false;
            }
        }

        return true;
    }

    private static string EnsureToken(string token, [CallerArgumentExpression(nameof(token))] string? paramName = null)
    {
        ArgumentNullException.ThrowIfNull(token, paramName);
        return IsValidToken(token)
            ? token
            : throw new ArgumentException(
                $"'{token}' is not a valid NATS subject token: it must be non-empty and contain no '.', '*', '>', whitespace or control character.",
                paramName);
    }
}
