using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace MultiAgent.Hosting.Nats;

/// <summary>
/// Healthy when the server's monitoring endpoint answers <c>/healthz</c> with 200, which nats-server does only once
/// it accepts clients and JetStream is up.
/// </summary>
internal sealed class NatsMonitorHealthCheck(EndpointReference monitorEndpoint) : IHealthCheck
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!monitorEndpoint.IsAllocated)
        {
            return HealthCheckResult.Unhealthy("The NATS monitoring endpoint has no port yet.");
        }

        try
        {
            using var response = await Http.GetAsync(new Uri($"{monitorEndpoint.Url}/healthz"), cancellationToken);
            return response.IsSuccessStatusCode
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy($"nats-server /healthz answered {(int)response.StatusCode}.");
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return HealthCheckResult.Unhealthy("nats-server /healthz did not answer.", ex);
        }
    }
}
