using System.Net;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using MultiAgent.IntegrationTests.Infrastructure;

namespace MultiAgent.IntegrationTests.Topology;

[Collection(SystemCollection.Name)]
public sealed class TopologyTests(SystemFixture system)
{
    [Fact]
    public void Every_resource_is_running_and_healthy()
    {
        foreach (var name in AppHostFixture.Servers.Concat(AppHostFixture.Agents))
        {
            Assert.True(system.App.ResourceNotifications.TryGetCurrentState(name, out var state), $"no resource '{name}'");
            Assert.True(state.Snapshot.HealthStatus == Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Healthy,
                $"{name} is not healthy: {system.DescribeResources()}");
        }
    }

    [Theory]
    [InlineData("repomanager", "/health/ready")]
    [InlineData("coder", "/health")]
    [InlineData("reviewer", "/health")]
    public async Task Each_agent_answers_its_readiness_and_liveness_probes(string agent, string readiness)
    {
        using var http = system.App.CreateHttpClient(agent, "http");

        using var health = await http.GetAsync(readiness);
        using var alive = await http.GetAsync("/alive");

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal("Healthy", await health.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
    }

    [Theory]
    [InlineData("repomanager")]
    [InlineData("coder")]
    [InlineData("reviewer")]
    public async Task Each_agent_runs_as_its_own_process_with_the_GC_heap_capped_at_its_memory_limit(string agent)
    {
        var pid = MultiAgent.IntegrationTests.EndToEnd.SystemProcesses.ProcessId(system, agent);

        var environment = (await File.ReadAllTextAsync($"/proc/{pid}/environ")).Split('\0');
        var commandLine = (await File.ReadAllTextAsync($"/proc/{pid}/cmdline")).Split('\0');

        Assert.Contains("DOTNET_GCHeapHardLimit=40000000", environment); // 1 GiB, MultiAgent:Agent:MemoryLimitBytes
        Assert.EndsWith(".dll", commandLine[1], StringComparison.Ordinal); // dotnet <agent>.dll, not dotnet run
    }

    [Theory]
    [InlineData("repomanager")]
    [InlineData("coder")]
    [InlineData("reviewer")]
    public async Task With_telemetry_export_off_an_agent_gets_no_OTLP_endpoint_to_try_every_second(string agent)
    {
        var pid = MultiAgent.IntegrationTests.EndToEnd.SystemProcesses.ProcessId(system, agent);

        var environment = (await File.ReadAllTextAsync($"/proc/{pid}/environ")).Split('\0');

        // The fixture runs no dashboard and sets MultiAgent:Telemetry:Export=false; Aspire would point the agents at
        // http://localhost:4317 regardless, where nothing listens.
        Assert.DoesNotContain(environment, variable => variable.StartsWith("OTEL_EXPORTER_OTLP_ENDPOINT=", StringComparison.Ordinal));
        Assert.Contains(environment, variable => variable.StartsWith("OTEL_SERVICE_NAME=", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Stopping_nats_turns_agent_health_to_503_and_a_restart_heals_it()
    {
        var commands = system.App.Services.GetRequiredService<ResourceCommandService>();
        using var http = system.App.CreateHttpClient("coder", "http");

        var stopped = await commands.ExecuteCommandAsync("nats", KnownResourceCommands.StopCommand);
        Assert.True(stopped.Success, stopped.Message);
        try
        {
            var status = await Eventually.ReturnsAsync(
                async ct => (await http.GetAsync("/health", ct)).StatusCode,
                code => code == HttpStatusCode.ServiceUnavailable,
                TimeSpan.FromSeconds(30), "the coder's /health to report NATS down");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, status);

            using var alive = await http.GetAsync("/alive");
            Assert.Equal(HttpStatusCode.OK, alive.StatusCode);

            // The system's health, on the Repo Manager, says why.
            using var repoManager = system.App.CreateHttpClient("repomanager", "http");
            var report = await Eventually.ReturnsAsync(
                ct => repoManager.GetAsync("/health", ct),
                response => response.StatusCode == HttpStatusCode.ServiceUnavailable,
                TimeSpan.FromSeconds(30), "the system health to report NATS down");
            Assert.Contains("NATS is not connected", await report.Content.ReadAsStringAsync());
        }
        finally
        {
            var started = await commands.ExecuteCommandAsync("nats", KnownResourceCommands.StartCommand);
            Assert.True(started.Success, started.Message);
        }

        await Eventually.ReturnsAsync(
            async ct => (await http.GetAsync("/health", ct)).StatusCode,
            code => code == HttpStatusCode.OK,
            TimeSpan.FromSeconds(60), "the coder to reconnect to the restarted NATS");
        await system.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60));
    }
}
