using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MultiAgent.Nats;
using NATS.Client.Core;
using Npgsql;

namespace MultiAgent.AgentRuntime;

/// <summary>
/// Opens the agent's connections to NATS and PostgreSQL at start-up (PostgreSQL's as many as the pool keeps,
/// <see cref="DatabasePool"/>) and logs once both answer, retrying with
/// back-off while either is unreachable (the health endpoint reports which one meanwhile).
/// </summary>
internal sealed partial class AgentReadinessService(
    AgentIdentity identity,
    INatsConnection nats,
    NpgsqlDataSource database,
    ILogger<AgentReadinessService> logger) : BackgroundService
{
    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var delay = TimeSpan.FromMilliseconds(200);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await nats.ConnectAsync();
                await DatabasePool.FillAsync(database, stoppingToken);
                await using var connection = await database.OpenConnectionAsync(stoppingToken);
                LogReady(identity.AgentType.ToString(), identity.InstanceId,
                    NatsConnectionString.Redact(nats.Opts.Url), nats.ServerInfo?.Version ?? "?",
                    connection.Database, connection.PostgreSqlVersion.ToString());
                return;
            }
            catch (Exception ex) when (ex is NatsException or NpgsqlException or TimeoutException && !stoppingToken.IsCancellationRequested)
            {
                LogNotReady(identity.AgentType.ToString(), delay.TotalSeconds, ex.Message);
                await Task.Delay(delay, stoppingToken);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxDelay.Ticks));
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information,
        Message = "{AgentType} agent ready (instance {InstanceId}): NATS {NatsUrl} (server {NatsVersion}), PostgreSQL database {Database} (server {PostgresVersion})")]
    private partial void LogReady(string agentType, string instanceId, string natsUrl, string natsVersion, string database, string postgresVersion);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{AgentType} agent not ready yet, retrying in {DelaySeconds}s: {Reason}")]
    private partial void LogNotReady(string agentType, double delaySeconds, string reason);
}
