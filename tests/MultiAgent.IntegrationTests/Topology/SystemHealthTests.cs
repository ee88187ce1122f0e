using System.Net;
using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MultiAgent.Contracts;
using MultiAgent.Hosting.Nats;
using MultiAgent.Messaging;
using MultiAgent.IntegrationTests.Infrastructure;
using NATS.Client.Core;
using NATS.Net;

namespace MultiAgent.IntegrationTests.Topology;

/// <summary>The system's health and metrics endpoints on the Repo Manager, on the real topology.</summary>
[Collection(SystemFaultsCollection.Name)]
public sealed class SystemHealthTests(SystemFixture system)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(45);

    private HttpClient RepoManager() => system.App.CreateHttpClient("repomanager", "http");

    private static async Task<(HttpStatusCode Status, JsonElement Body)> GetJsonAsync(HttpClient http, string path, CancellationToken ct = default)
    {
        using var response = await http.GetAsync(path, ct);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
        return (response.StatusCode, document.RootElement.Clone());
    }

    private static IEnumerable<JsonElement> Agents(JsonElement report) => report.GetProperty("agents").EnumerateArray();

    [Fact]
    public async Task Health_is_200_with_the_three_agents_and_both_dependencies()
    {
        using var http = RepoManager();

        var (status, report) = await Eventually.ReturnsAsync(
            ct => GetJsonAsync(http, "/health", ct), r => r.Status == HttpStatusCode.OK, Patience, "the system to be healthy");

        Assert.Equal("Healthy", report.GetProperty("status").GetString());
        Assert.Equal(
            ["coder", "repomanager", "reviewer"],
            Agents(report).Where(a => a.GetProperty("healthy").GetBoolean()).Select(a => a.GetProperty("type").GetString()).Distinct().Order());
        Assert.All(Agents(report), a => Assert.True(a.GetProperty("uptimeSeconds").GetDouble() >= 0));
        var dependencies = report.GetProperty("dependencies");
        Assert.True(dependencies.GetProperty("nats").GetProperty("connected").GetBoolean());
        Assert.True(dependencies.GetProperty("nats").GetProperty("jetStream").GetBoolean());
        Assert.True(dependencies.GetProperty("nats").GetProperty("pendingTasks").GetInt64() >= 0);
        Assert.True(dependencies.GetProperty("nats").GetProperty("deadLetters").GetInt64() >= 0);
        Assert.True(dependencies.GetProperty("postgres").GetProperty("reachable").GetBoolean());
        Assert.Empty(report.GetProperty("problems").EnumerateArray());

        var coder = Agents(report).First(a => a.GetProperty("type").GetString() == "coder").GetProperty("id").GetString();
        var (agentStatus, agent) = await GetJsonAsync(http, $"/health/agents/{coder}");
        var (unknownStatus, _) = await GetJsonAsync(http, "/health/agents/coder-nowhere-1");
        Assert.Equal(HttpStatusCode.OK, agentStatus);
        Assert.Equal(coder, agent.GetProperty("id").GetString());
        Assert.Equal(HttpStatusCode.NotFound, unknownStatus);
    }

    [Fact]
    public async Task An_agent_killed_is_named_unhealthy_within_the_heartbeat_timeout_and_health_is_503_until_the_AppHost_has_it_back()
    {
        using var http = RepoManager();
        var (_, before) = await Eventually.ReturnsAsync(
            ct => GetJsonAsync(http, "/health", ct), r => r.Status == HttpStatusCode.OK, Patience, "the system to be healthy");
        var reviewer = Agents(before).First(a => a.GetProperty("type").GetString() == "reviewer" && a.GetProperty("healthy").GetBoolean())
            .GetProperty("id").GetString()!;

        // The instance id ends with the agent's process id: kill -9 it, so no last heartbeat is sent.
        var killed = int.Parse(reviewer[(reviewer.LastIndexOf('-') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        using (var process = System.Diagnostics.Process.GetProcessById(killed))
        {
            process.Kill();
        }

        // Within the heartbeat timeout the silent instance is unhealthy, and the system is 503 naming it — unless the
        // AppHost's restart (1 s here) already brought a new reviewer up, which is what health should then say.
        var (status, report) = await Eventually.ReturnsAsync(
            ct => GetJsonAsync(http, "/health", ct),
            r => Agents(r.Body).Any(a => a.GetProperty("id").GetString() == reviewer && !a.GetProperty("healthy").GetBoolean()),
            Patience, "the system health to notice the silent reviewer");
        var (_, agent) = await GetJsonAsync(http, $"/health/agents/{reviewer}");

        Assert.False(agent.GetProperty("healthy").GetBoolean());
        if (status == HttpStatusCode.ServiceUnavailable)
        {
            Assert.Contains(report.GetProperty("problems").EnumerateArray(), p => p.GetString()!.Contains(reviewer));
        }
        else
        {
            Assert.Contains(Agents(report), a => a.GetProperty("type").GetString() == "reviewer" && a.GetProperty("healthy").GetBoolean()
                && a.GetProperty("id").GetString() != reviewer);
        }

        // The AppHost starts the reviewer again by itself (its restart policy); nothing here starts it.
        await Eventually.ReturnsAsync(
            ct => GetJsonAsync(http, "/health", ct), r => r.Status == HttpStatusCode.OK, TimeSpan.FromSeconds(90),
            "the restarted reviewer to make the system healthy again");
        await system.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60));
    }

    [Fact]
    public async Task Metrics_count_the_tasks_the_agents_finish()
    {
        using var http = RepoManager();
        var before = await RepoManagerProcessedAsync(http);
        await using var nats = new NatsConnection(MultiAgent.Nats.NatsConnectionString.ToOptions(system.NatsUrlFor(NatsUsers.Operator)));
        var publisher = new TaskPublisher(nats.CreateJetStreamContext(), Options.Create(new TaskBusOptions()));
        var jobId = $"job-{Guid.NewGuid():N}"[..16];

        await publisher.PublishAsync(MessageSerializer.Wrap(
            new FeatureRequest(jobId, "/srv/repos/metrics.git", "count me", DateTimeOffset.UtcNow), AgentType.RepoManager, jobId), default);
        var after = await Eventually.ReturnsAsync(
            _ => RepoManagerProcessedAsync(http), n => n > before, Patience, "the Repo Manager's processed count to rise");

        Assert.True(after > before);
        var (status, metrics) = await GetJsonAsync(http, "/metrics");
        Assert.Equal(HttpStatusCode.OK, status);
        var figures = metrics.GetProperty("system");
        Assert.True(figures.GetProperty("workingSetBytes").GetInt64() > 0);
        // Each healthy agent reports its own process's memory and CPU in its heartbeats.
        var agents = metrics.GetProperty("agents").EnumerateArray().Where(a => a.GetProperty("healthy").GetBoolean()).ToList();
        Assert.Equal(3, agents.Select(a => a.GetProperty("type").GetString()).Distinct().Count());
        Assert.All(agents, a => Assert.InRange(a.GetProperty("workingSetBytes").GetInt64(), 10L << 20, 1L << 30));
        Assert.All(agents, a => Assert.InRange(a.GetProperty("cpuPercent").GetDouble(), 0, 100));
        Assert.True(figures.GetProperty("uptimeSeconds").GetDouble() > 0);
        Assert.True(figures.GetProperty("processorCount").GetInt32() > 0);
    }

    private static async Task<long> RepoManagerProcessedAsync(HttpClient http)
    {
        var (_, metrics) = await GetJsonAsync(http, "/metrics");
        return metrics.GetProperty("agents").EnumerateArray()
            .Where(a => a.GetProperty("type").GetString() == "repomanager" && a.GetProperty("healthy").GetBoolean())
            .Sum(a => a.GetProperty("tasksProcessed").GetInt64());
    }
}
