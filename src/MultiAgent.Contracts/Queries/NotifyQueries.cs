namespace MultiAgent.Contracts;

/// <summary>Request on <see cref="Subjects.QueryNotifyTest"/>: send a test notification now.</summary>
/// <param name="Channel">"slack", "discord" or "email"; null for every channel that is set up.</param>
public sealed record NotifyTestRequest(string? Channel = null);

/// <summary>What one channel answered to a test notification.</summary>
/// <param name="Sent">Whether the channel took it.</param>
/// <param name="Answer">"sent", or why not (redacted).</param>
public sealed record ChannelTestResult(string Channel, bool Sent, string Answer);

/// <summary>Reply to <see cref="NotifyTestRequest"/>: one result per channel tried; none when no channel is set up.</summary>
public sealed record NotifyTestReply(IReadOnlyList<ChannelTestResult>? Channels = null)
{
    public IReadOnlyList<ChannelTestResult> Channels { get; init; } = Channels ?? [];
}
