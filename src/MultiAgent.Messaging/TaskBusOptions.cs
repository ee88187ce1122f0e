namespace MultiAgent.Messaging;

/// <summary>Settings of the task bus, bound from <see cref="SectionName"/>.</summary>
public sealed class TaskBusOptions
{
    /// <summary>Configuration section the options are bound from.</summary>
    public const string SectionName = "MultiAgent:TaskBus";

    /// <summary>
    /// How long the server waits for an ack before it redelivers a task. Long tasks stay alive by sending
    /// in-progress acks (<see cref="TaskDelivery.InProgressAsync"/>) more often than this.
    /// </summary>
    public TimeSpan AckWait { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Attempts at one task before the runtime dead-letters it: deliveries that started it (recorded in the task store),
    /// not every delivery the server counts. Enforced by the runtime, not by the server: see <see cref="JetStreamTopology"/>.
    /// </summary>
    public int MaxAttempts { get; set; } = 5;

    /// <summary>
    /// The backstop: a task the server has delivered more often than this (deliveries that never ran it included: the
    /// task store unreachable, a delivery that stepped aside) is dead-lettered, so that nothing is redelivered forever.
    /// Far above <see cref="MaxAttempts"/>: with the default 30 s AckWait, 100 deliveries take at least 50 minutes.
    /// </summary>
    public int MaxDeliveries { get; set; } = 100;

    /// <summary>
    /// Back-off schedule for naks: the delay after the first failed delivery, the second, and so on; the last
    /// entry repeats. Read it through <see cref="GetRetryDelay"/>.
    /// </summary>
    public TimeSpan[] RetryDelays { get; set; } =
    [
        TimeSpan.FromSeconds(1),
        TimeSpan.FromSeconds(5),
        TimeSpan.FromSeconds(15),
        TimeSpan.FromSeconds(30),
        TimeSpan.FromSeconds(60),
    ];

    /// <summary>Window in which the tasks and dead-letter streams drop a message whose Nats-Msg-Id they already hold.</summary>
    public TimeSpan DuplicateWindow { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Largest message body the bus publishes or accepts, in bytes. The server's max_payload (1 MiB by default)
    /// counts headers too, so a body right at this limit can still be refused by the server.
    /// </summary>
    public int MaxPayloadBytes { get; set; } = 1024 * 1024;

    /// <summary>
    /// Largest size of each stream (tasks, events, dead letters) in bytes, 1 GiB by default. A full tasks stream refuses
    /// new tasks (the publisher gets an error; nothing queued is dropped); the events and dead-letter streams drop their
    /// oldest messages.
    /// </summary>
    public long StreamMaxBytes { get; set; } = 1L << 30;

    /// <summary>
    /// Copies JetStream keeps of each stream (and so of each consumer's state), 1 to 5: 1 on a single server; on a cluster
    /// 3, so that the streams lose nothing and stay writable while one node is down. The AppHost sets it from
    /// <c>MultiAgent:Nats:ClusterSize</c>. A stream that exists is updated to it (a cluster moves its copies itself).
    /// </summary>
    public int StreamReplicas { get; set; } = 1;

    /// <summary>Most unacknowledged tasks the server hands out per agent type (all instances together).</summary>
    public int MaxAckPending { get; set; } = 64;

    /// <summary>
    /// Tasks one consumer instance asks the server for at a time. Kept small so that several instances of an
    /// agent share the work instead of one of them buffering it.
    /// </summary>
    public int PullBatchSize { get; set; } = 1;

    /// <summary>
    /// How long one pull request for tasks stays open on the server; the server sends an idle heartbeat every half of
    /// it. An instance whose pull was lost (NATS restarted and its JetStream was not ready when the client came back)
    /// notices after two missed heartbeats, that is after this long, and pulls again: it bounds how long an agent sits
    /// idle after a NATS outage. Between 2 s and 5 min.
    /// </summary>
    public TimeSpan PullExpiry { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The nak delay after the <paramref name="numDelivered"/>-th delivery failed: entry
    /// <c>numDelivered - 1</c> of <see cref="RetryDelays"/>, the last entry once the schedule is exhausted,
    /// and zero if the schedule is empty.
    /// </summary>
    public TimeSpan GetRetryDelay(ulong numDelivered)
    {
        if (RetryDelays.Length == 0)
        {
            return TimeSpan.Zero;
        }

        var index = numDelivered <= 1 ? 0 : (int)Math.Min(numDelivered - 1, (ulong)(RetryDelays.Length - 1));
        return RetryDelays[index];
    }
}
