using MultiAgent.Contracts;
using MultiAgent.Persistence.Internal;
using MultiAgent.Persistence.Sql;
using Npgsql;

namespace MultiAgent.Persistence;

/// <summary>The <c>tasks</c> columns the store selects, and how a row becomes a <see cref="TaskRecord"/>.</summary>
internal static class TaskRow
{
    public const string Columns =
        "id, job_id, agent_type, message_type, status, attempts, payload, outcome, error, input_tokens, output_tokens, cost, " +
        "created_at, started_at, completed_at, duration_ms, lease_holder, lease_expires_at, updated_at";

    public static TaskRecord Read(NpgsqlDataReader reader) => new()
    {
        Id = reader.Get<string>("id"),
        JobId = reader.Get<string>("job_id"),
        AgentType = WireName<AgentType>.Parse(reader.Get<string>("agent_type")),
        MessageType = reader.Get<string>("message_type"),
        Status = WireName<AgentTaskStatus>.Parse(reader.Get<string>("status")),
        Attempts = reader.Get<int>("attempts"),
        Payload = reader.GetJson("payload"),
        Outcome = reader.GetJson("outcome"),
        Error = reader.GetNullableString("error"),
        Tokens = new TokenUsage(reader.Get<long>("input_tokens"), reader.Get<long>("output_tokens"), reader.GetNullable<decimal>("cost")),
        CreatedAt = reader.Get<DateTimeOffset>("created_at"),
        StartedAt = reader.GetNullable<DateTimeOffset>("started_at"),
        CompletedAt = reader.GetNullable<DateTimeOffset>("completed_at"),
        Duration = reader.GetNullable<long>("duration_ms") is { } ms ? TimeSpan.FromMilliseconds(ms) : null,
        LeaseHolder = reader.GetNullableString("lease_holder"),
        LeaseExpiresAt = reader.GetNullable<DateTimeOffset>("lease_expires_at"),
        UpdatedAt = reader.Get<DateTimeOffset>("updated_at"),
    };

    public static async Task<List<TaskRecord>> ReadAllAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var tasks = new List<TaskRecord>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            tasks.Add(Read(reader));
        }

        return tasks;
    }
}
