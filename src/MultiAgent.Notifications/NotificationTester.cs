using MultiAgent.Contracts;
using MultiAgent.Notifications.Channels;

namespace MultiAgent.Notifications;

/// <summary>
/// Sends a test notification straight through the channels that are set up (not through the event stream, the filters
/// or the rate limit), and says what each answered: <c>multi-agent notify test</c>.
/// </summary>
public sealed class NotificationTester(IEnumerable<INotificationChannel> channels, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>Event type of the test notification.</summary>
    public const string TestEventType = "notifications.test";

    /// <exception cref="ArgumentException"><paramref name="channel"/> names no channel that is set up.</exception>
    public async Task<NotifyTestReply> TestAsync(string? channel, CancellationToken cancellationToken)
    {
        var chosen = channels.Where(c => channel is null || c.Name == channel).ToList();
        if (channel is not null && chosen.Count == 0)
        {
            throw new ArgumentException(
                $"the {channel} channel is not set up (set up: {(channels.Any() ? string.Join(", ", channels.Select(c => c.Name)) : "none")}); see MultiAgent:Notifications");
        }

        var now = _time.GetUtcNow();
        var results = new List<ChannelTestResult>();
        foreach (var target in chosen)
        {
            var notification = new Notification(
                "test-" + Guid.NewGuid().ToString("N"), TestEventType, NotificationLevel.Info, "Test notification",
                $"A test from MultiAgent: the {target.Name} channel works.", now);
            try
            {
                await target.SendAsync(notification, cancellationToken);
                results.Add(new ChannelTestResult(target.Name, true, "sent"));
            }
            catch (NotificationDeliveryException ex)
            {
                results.Add(new ChannelTestResult(target.Name, false, ex.Message));
            }
        }

        return new NotifyTestReply(results);
    }
}
