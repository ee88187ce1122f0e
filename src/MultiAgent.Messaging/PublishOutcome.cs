namespace MultiAgent.Messaging;

/// <summary>What the server answered to a JetStream publish.</summary>
/// <param name="Stream">The stream that holds the message.</param>
/// <param name="Sequence">The message's stream sequence (the original's, when <paramref name="IsDuplicate"/>).</param>
/// <param name="IsDuplicate">
/// Whether the server already held a message with the same Nats-Msg-Id within the duplicate window and so did not
/// store this one again.
/// </param>
public sealed record PublishOutcome(string Stream, ulong Sequence, bool IsDuplicate);
