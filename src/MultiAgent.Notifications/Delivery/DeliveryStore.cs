using MultiAgent.Persistence;
using MultiAgent.Persistence.Sql;
using MultiAgent.Secrets;
using Npgsql;

namespace MultiAgent.Notifications.Delivery;

/// <summary>What a channel did with an event.</summary>
public enum DeliveryOutcome
{
    Sent,
    Digested,
    Refused,
    Expired,
}

/// <summary>
/// The delivery records (<c>notification_deliveries</c>): one row per channel and event, written once the channel is
/// done with it, so an event the stream delivers again (after a crash before its acknowledgement) is not sent again.
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
            INSERT INTO notification_deliveries (channel, event_key, event_type, outcome, detail, recorded_at)
            VALUES (@channel, @key, @type, @outcome, @detail, @now)
            ON CONFLICT (channel, event_key) DO NOTHING
            """);
        command.Parameters.AddAll(
        [
            Db.Text("channel", channel),
            Db.Text("key", notification.Key),
            Db.Text("type", notification.EventType),
            Db.Text("outcome", outcome.ToString().ToLowerInvariant()),
            Db.Text("detail", _redactor.Redact(detail)),
            Db.Timestamp("now", _time.UtcNow()),
        ]);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

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
