using Microsoft.Extensions.Diagnostics.HealthChecks;
using NATS.Client.Core;

namespace MultiAgent.ServiceDefaults.Nats;

/// <summary>
/// Healthy while the connection is open. A service that cannot reach NATS cannot take or hand on work, so
/// "reconnecting" and "closed" are unhealthy (503 on /health), unlike Aspire's integration, which reports degraded.
/// A closed connection is (re)opened by the check itself, within the configured timeout.
/// </summary>
internal sealed class NatsHealthCheck(INatsConnection connection, TimeSpan timeout) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (connection.ConnectionState == NatsConnectionState.Closed)
        {
            try
            {
                await connection.ConnectAsync().AsTask().WaitAsync(timeout, cancellationToken);
            }
            catch (Exception ex) when (ex is NatsException or TimeoutException)
            {
                return HealthCheckResult.Unhealthy("Cannot connect to NATS.", ex);
            }
        }

        return connection.ConnectionState switch
        {
            NatsConnectionState.Open => HealthCheckResult.Healthy(),
            NatsConnectionState.Connecting => HealthCheckResult.Unhealthy("Connecting to NATS."),
            NatsConnectionState.Reconnecting => HealthCheckResult.Unhealthy("The NATS connection is lost; reconnecting."),
            _ => HealthCheckResult.Unhealthy("The NATS connection is closed."),
        };
    }
}
