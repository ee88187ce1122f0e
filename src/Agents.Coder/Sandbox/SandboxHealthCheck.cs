using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Agents.Coder.Sandbox;

/// <summary>
/// The <c>check-sandbox</c> entry of the Coder's <c>/health</c>: Healthy with the isolation in force, Degraded when
/// checks are not sandboxed (<c>none</c>) or are refused for want of a sandbox.
/// </summary>
internal sealed class SandboxHealthCheck(CheckSandbox sandbox) : IHealthCheck
{
    public const string Name = "check-sandbox";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var isolation = await sandbox.IsolationAsync();
        var data = new Dictionary<string, object> { ["isolation"] = isolation.Kind.ToString() };
        return isolation.Kind switch
        {
            IsolationKind.Bubblewrap or IsolationKind.Setpriv => HealthCheckResult.Healthy(isolation.Description, data),
            IsolationKind.None => HealthCheckResult.Degraded("checks are not sandboxed: " + isolation.Description, data: data),
            _ => HealthCheckResult.Degraded("checks are refused: " + isolation.Description, data: data),
        };
    }
}

/// <summary>Probes the sandbox when the Coder starts, so that the isolation in force is logged before the first job.</summary>
internal sealed class SandboxStartupProbe(CheckSandbox sandbox) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => sandbox.IsolationAsync();

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
