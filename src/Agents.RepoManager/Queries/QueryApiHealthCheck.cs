using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Agents.RepoManager.Queries;

/// <summary>Healthy once the Repo Manager answers queries: before that, the CLI would hear "no responders".</summary>
internal sealed class QueryApiHealthCheck(QueryResponder responder) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(responder.IsListening
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Unhealthy("The query API is not subscribed yet."));
}
