using MultiAgent.Contracts;

namespace MultiAgent.Hosting.Nats;

/// <summary>What one NATS user may publish and subscribe to (nats-server's <c>permissions</c> block).</summary>
/// <param name="Publish">Subjects the user may publish to; null means any subject.</param>
/// <param name="Subscribe">Subjects the user may subscribe to; null means any subject.</param>
/// <param name="AllowResponses">
/// Whether the user may publish one reply to the reply subject of each request it received (nats-server's
/// <c>allow_responses</c>), without a publish permission on <c>_INBOX.&gt;</c>.
/// </param>
public sealed record NatsPermissions(IReadOnlyList<string>? Publish, IReadOnlyList<string>? Subscribe, bool AllowResponses = false)
{
    /// <summary>Every subject, both ways.</summary>
    public static NatsPermissions Everything { get; } = new(null, null);

    /// <summary>The same permissions with every subject listed once.</summary>
    public NatsPermissions Deduplicated() => this with
    {
        Publish = Publish?.Distinct(StringComparer.Ordinal).ToList(),
        Subscribe = Subscribe?.Distinct(StringComparer.Ordinal).ToList(),
    };
}

/// <summary>A NATS user of the system: its name and permissions. Its password is an Aspire secret parameter.</summary>
public sealed record NatsUser(string Name, string Description, NatsPermissions Permissions)
{
    /// <summary>The name of the Aspire secret parameter holding the user's password, e.g. "nats-coder-password".</summary>
    public string PasswordParameterName(string serverName) => $"{serverName}-{Name}-password";
}

/// <summary>
/// The users nats-server knows (<see cref="All"/>) and the subjects each one may use: one user per agent type, an
/// <c>operator</c> for the CLI, a read-only <c>viewer</c>, and <c>admin</c> for maintenance and tests. Every
/// permission is derived from <see cref="Subjects"/>; nothing else names a subject.
/// </summary>
public static class NatsUsers
{
    /// <summary>Everything, both ways: the connection string of the NATS resource itself (maintenance, tests).</summary>
    public const string Admin = "admin";

    /// <summary>The CLI of someone who runs jobs: submit, watch, every query including stop, approve and reject.</summary>
    public const string Operator = "operator";

    /// <summary>The CLI of someone who only looks: job status, job lists, agents, events.</summary>
    public const string Viewer = "viewer";

    /// <summary>The AppHost itself: announces restarts and crash loops (system events), nothing else.</summary>
    public const string AppHost = "apphost";

    /// <summary>
    /// The inboxes of <paramref name="user"/> ("_INBOX_coder.&gt;"): replies to its requests, JetStream API answers and
    /// its pulled messages. Each user reads its own only; the clients set the prefix from the user name
    /// (<see cref="Subjects.InboxPrefix"/>).
    /// </summary>
    public static string InboxesOf(string user) =>
        (Subjects.InboxPrefix(user) ?? throw new ArgumentException($"'{user}' cannot name an inbox.", nameof(user))) + ".>";

    private const string JsApi = "$JS.API";

    /// <summary>Event types (subject tokens) that the Coder and the Reviewer record through the shared task loop.</summary>
    public static IReadOnlyList<string> TaskLoopEventTypes { get; } =
    [
        JobEventTypes.TaskStarted, JobEventTypes.TaskCompleted, JobEventTypes.TaskFailed,
        JobEventTypes.TaskDeadLettered, JobEventTypes.JobFailed,
    ];

    /// <summary>The queries a viewer may ask: they read, never change, a job.</summary>
    public static IReadOnlyList<string> ReadOnlyQueries { get; } =
        [Subjects.QueryJobStatus, Subjects.QueryJobsList, Subjects.QueryAgents, Subjects.QueryProjectStatus, Subjects.QueryProjectsList];

    /// <summary>The user of an agent type: its subject token ("coder", "reviewer", "repomanager").</summary>
    public static string ForAgent(AgentType agent) => Subjects.AgentToken(agent);

    /// <summary>Every user, agents first, <see cref="Admin"/> last.</summary>
    public static IReadOnlyList<NatsUser> All { get; } =
    [
        .. AgentCatalogue.Types.Select(AgentUser),
        new(Operator, "the CLI: submit, watch and every query (stop, approve, reject included)", OperatorPermissions()),
        new(Viewer, "the CLI, read only: job status, job lists, agents and events", ViewerPermissions()),
        new(AppHost, "the AppHost: announces restarts and crash loops on the event stream", new([Subjects.SystemEventsAll], [InboxesOf(AppHost)])),
        new(Admin, "maintenance and tests: every subject", NatsPermissions.Everything),
    ];

    /// <summary>The user called <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">There is no such user.</exception>
    public static NatsUser Get(string name) =>
        All.FirstOrDefault(u => u.Name == name) ?? throw new ArgumentException($"'{name}' is no NATS user of the system.", nameof(name));

    private static NatsUser AgentUser(AgentType agent)
    {
        var token = Subjects.AgentToken(agent);
        var durable = Subjects.DurableConsumer(agent);
        List<string> publish =
        [
            // The task loop: its own durable pull consumer on the task stream (made at start), pulls and acks.
            .. StreamTopology(),
            .. DurableConsumerCreation(agent),
            $"{JsApi}.CONSUMER.INFO.{Subjects.TasksStream}.{durable}",
            $"{JsApi}.CONSUMER.MSG.NEXT.{Subjects.TasksStream}.{durable}",
            $"$JS.ACK.{Subjects.TasksStream}.{durable}.>",
            Subjects.DeadLetter(agent),
            $"{Subjects.Prefix}.heartbeats.{token}.>",
        ];
        List<string> subscribe = [InboxesOf(token), Subjects.JobCancelAll];

        if (agent == AgentType.RepoManager)
        {
            // The workflow: hands work to every agent (and to itself, after an approval), tells every job's story,
            // cancels running tasks, answers the queries and keeps the registry of agents from their heartbeats.
            publish.AddRange(AgentCatalogue.Types.Select(Subjects.Tasks));
            publish.Add(Subjects.EventsAll);
            publish.Add(Subjects.JobCancelAll);

            // The health report reads every agent type's queue (its durable consumer's figures), never changes it.
            publish.AddRange(AgentCatalogue.Types.Select(a => $"{JsApi}.CONSUMER.INFO.{Subjects.TasksStream}.{Subjects.DurableConsumer(a)}"));
            subscribe.Add(Subjects.Prefix + ".query.>");
            subscribe.Add(Subjects.HeartbeatsAll);

            // The health report names a part the AppHost left stopped in a crash loop (system events); the Repo Manager
            // itself announces an agent type gone silent (agent.unhealthy), and nothing else there.
            subscribe.Add(Subjects.SystemEventsAll);
            publish.Add($"{Subjects.Prefix}.system.*.{JobEventTypes.ToSubjectToken(SystemEventTypes.AgentUnhealthy)}");

            // Notifications: each channel reads the event stream through its own durable consumer; so do project steps.
            publish.AddRange(Subjects.NotificationChannels.Select(Subjects.NotificationConsumer).Append(Subjects.ProjectStepsConsumer).SelectMany(consumer => new[]
            {
                $"{JsApi}.CONSUMER.CREATE.{Subjects.EventsStream}.{consumer}",
                $"{JsApi}.CONSUMER.CREATE.{Subjects.EventsStream}.{consumer}.>",
                $"{JsApi}.CONSUMER.DURABLE.CREATE.{Subjects.EventsStream}.{consumer}",
                $"{JsApi}.CONSUMER.INFO.{Subjects.EventsStream}.{consumer}",
                $"{JsApi}.CONSUMER.MSG.NEXT.{Subjects.EventsStream}.{consumer}",
                $"$JS.ACK.{Subjects.EventsStream}.{consumer}.>",
            }));
            return new(token, "the Repo Manager agent", new NatsPermissions(publish, subscribe, AllowResponses: true).Deduplicated());
        }

        // The Coder and the Reviewer hand their results to the Repo Manager, and record their own task events.
        publish.Add(Subjects.Tasks(AgentType.RepoManager));
        publish.AddRange(TaskLoopEventTypes.Select(type => $"{Subjects.Prefix}.events.*.{JobEventTypes.ToSubjectToken(type)}"));
        return new(token, $"the {AgentCatalogue.Of(agent).DisplayName} agent", new(publish, subscribe));
    }

    private static NatsPermissions OperatorPermissions() => new NatsPermissions(
        [
            Subjects.Prefix + ".query.>",
            Subjects.Tasks(AgentType.RepoManager),
            // Submitting to a system that never ran makes the streams and consumers first (as the agents would).
            .. StreamTopology(),
            .. AgentCatalogue.Types.SelectMany(DurableConsumerCreation),
            .. EventFollowing(),
        ],
        [InboxesOf(Operator)]).Deduplicated();

    private static NatsPermissions ViewerPermissions() => new(
        [
            .. ReadOnlyQueries,
            .. EventFollowing(),
        ],
        [InboxesOf(Viewer)]);

    /// <summary>Reading and making the three streams (<c>JetStreamTopology</c>).</summary>
    private static IEnumerable<string> StreamTopology()
    {
        yield return $"{JsApi}.INFO";
        foreach (var stream in new[] { Subjects.TasksStream, Subjects.EventsStream, Subjects.DeadLetterStream })
        {
            yield return $"{JsApi}.STREAM.INFO.{stream}";
            yield return $"{JsApi}.STREAM.CREATE.{stream}";
            yield return $"{JsApi}.STREAM.UPDATE.{stream}";
        }
    }

    /// <summary>Creating (or updating) an agent type's durable consumer; the subject may end with the filter subject.</summary>
    private static IEnumerable<string> DurableConsumerCreation(AgentType agent)
    {
        var durable = Subjects.DurableConsumer(agent);
        yield return $"{JsApi}.CONSUMER.CREATE.{Subjects.TasksStream}.{durable}";
        yield return $"{JsApi}.CONSUMER.CREATE.{Subjects.TasksStream}.{durable}.>";
        yield return $"{JsApi}.CONSUMER.DURABLE.CREATE.{Subjects.TasksStream}.{durable}";
    }

    /// <summary>Following job events (<c>watch</c>): ordered ephemeral consumers on the event stream.</summary>
    private static IEnumerable<string> EventFollowing()
    {
        yield return $"{JsApi}.INFO";
        yield return $"{JsApi}.STREAM.INFO.{Subjects.EventsStream}";
        yield return $"{JsApi}.CONSUMER.CREATE.{Subjects.EventsStream}.>";
        yield return $"{JsApi}.CONSUMER.INFO.{Subjects.EventsStream}.*";
        yield return $"{JsApi}.CONSUMER.DELETE.{Subjects.EventsStream}.*";
        yield return $"{JsApi}.CONSUMER.MSG.NEXT.{Subjects.EventsStream}.*";
    }
}
