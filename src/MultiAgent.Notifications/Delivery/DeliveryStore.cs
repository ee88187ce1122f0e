using MultiAgent.Persistence;
using MultiAgent.Persistence.Sql;
using MultiAgent.Secrets;
using Npgsql;

namespace MultiAgent.Notifications.Delivery;

/// <summary>What a channel did with an event.</summary>
public enum DeliveryOutcome
{
    /// <summary>The channel took it.</summary>
    Sent,

    /// <summary>Past the channel's rate: waits for the digest at the end of the window (kept across restarts).</summary>
    Held,

    /// <summary>Named in a digest the channel took.</summary>
    Digested,

    /// <summary>The channel refused it for good.</summary>
    Refused,

    /// <summary>Older than MaxAge by the time the channel could take it.</summary>
    Expired,
}

/// <summary>
/// The delivery records (<c>notification_deliveries</c>): one row per channel and event, written once the channel is
/// done with it (or holds it for the digest), so an event the stream delivers again (after a crash before its
/// acknowledgement) is not sent again, and a digest due when the process died is still sent.
/// </summary>
public sealed class DeliveryStore(NpgsqlDataSource dataSource, TimeProvider? time = null, SecretRedactor? redactor = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly SecretRedactor _redactor = redactor ?? new SecretRedactor();

    /// <summary>The migrations of this table, registered by AddNotifications for the migrator.</summary>
    public static MigrationSource Migrations { get; } =
        MigrationSource.FromEmbedded(typeof(DeliveryStore).Assembly, "MultiAgent.Notifications.Migrations.");

    /// <summary>Whether <paramref name="channel"/> is done with <paramref name="eventKey"/>.</summary>
    public async Task<bool> IsDoneAsync(string channel, string eventKey, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("SELECT 1 FROM notification_deliveries WHERE channel = @channel AND event_key = @key");
        command.Parameters.AddAll([Db.Text("channel", channel), Db.Text("key", eventKey)]);
        return await command.ExecuteScalarAsync(cancellationToken) is not null;
    }

    /// <summary>Records what <paramref name="channel"/> did with <paramref name="notification"/> (a second record of the same is ignored).</summary>
    public async Task RecordAsync(string channel, Notification notification, DeliveryOutcome outcome, string? detail = null, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(
            """
            INSERT INTO notification_deliveries (channel, event_key, event_type, outcome, detail, recorded_at, title, level)
            VALUES (@channel, @key, @type, @outcome, @detail, @now, @title, @level)
            ON CONFLICT (channel, event_key) DO NOTHING
            """);
        command.Parameters.AddAll(
        [
            Db.Text("channel", channel),
            Db.Text("key", notification.Key),
            Db.Text("type", notification.EventType),
            Db.Text("outcome", Name(outcome)),
            Db.Text("detail", _redactor.Redact(detail)),
            Db.Timestamp("now", _time.UtcNow()),
            Db.Text("title", _redactor.Redact(notification.Title)),
            Db.Text("level", notification.Level.ToString()),
        ]);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// What <paramref name="channel"/> holds for its next digest, oldest first, as notifications carrying what a digest
    /// names (key, type, level, title, time).
    /// </summary>
    public async Task<IReadOnlyList<Notification>> ReadHeldAsync(string channel, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(
            """
            SELECT event_key, event_type, level, title, recorded_at FROM notification_deliveries
            WHERE channel = @channel AND outcome = @held
            ORDER BY recorded_at, event_key
            """);
        command.Parameters.AddAll([Db.Text("channel", channel), Db.Text("held", Name(DeliveryOutcome.Held))]);
        var held = new List<Notification>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            held.Add(new Notification(
                reader.Get<string>("event_key"), reader.Get<string>("event_type"),
                Enum.TryParse<NotificationLevel>(reader.GetNullableString("level"), out var level) ? level : NotificationLevel.Info,
                reader.GetNullableString("title") ?? reader.Get<string>("event_type"), "", reader.Get<DateTimeOffset>("recorded_at")));
        }

        return held;
    }

    /// <summary>Marks the held records <paramref name="eventKeys"/> of <paramref name="channel"/> as named in a digest it took.</summary>
    public async Task MarkDigestedAsync(string channel, IReadOnlyCollection<string> eventKeys, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(
            """
            UPDATE notification_deliveries SET outcome = @digested, recorded_at = @now
            WHERE channel = @channel AND outcome = @held AND event_key = ANY(@keys)
            """);
        command.Parameters.AddAll(
        [
            Db.Text("channel", channel),
            Db.Text("digested", Name(DeliveryOutcome.Digested)),
            Db.Text("held", Name(DeliveryOutcome.Held)),
            Db.TextArray("keys", [.. eventKeys]),
            Db.Timestamp("now", _time.UtcNow()),
        ]);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static string Name(DeliveryOutcome outcome) => outcome.ToString().ToLowerInvariant();

    /// <summary>The records of one channel, oldest first (for tests and troubleshooting).</summary>
    public async Task<IReadOnlyList<(string EventKey, string EventType, DeliveryOutcome Outcome, string? Detail)>> ReadAsync(
        string channel, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT event_key, event_type, outcome, detail FROM notification_deliveries WHERE channel = @channel ORDER BY recorded_at, event_key");
        command.Parameters.Add(Db.Text("channel", channel));
        var records = new List<(string, string, DeliveryOutcome, string?)>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            records.Add((reader.Get<string>("event_key"), reader.Get<string>("event_type"),
                Enum.Parse<DeliveryOutcome>(reader.Get<string>("outcome"), ignoreCase: true), reader.GetNullableString("detail")));
        }

        return records;
    }
}
