using Agents.RepoManager.Health;
using Agents.RepoManager.Registry;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MultiAgent.Contracts;
using MultiAgent.Hosting.Local;
using MultiAgent.Hosting.Nats;
using MultiAgent.Hosting.Restarts;
using MultiAgent.IntegrationTests.Infrastructure;
using MultiAgent.Messaging;
using MultiAgent.Nats;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using NATS.Net;

namespace MultiAgent.IntegrationTests.Hosting;

/// <summary>
/// The AppHost announces the restart policy's restarts and crash loops on the event stream of its real nats-server (as
/// the NATS user apphost), and the Repo Manager's health report names the crash loop it hears of (as the user
/// repomanager).
/// </summary>
public sealed class RestartEventsTests : IDisposable
{
    private readonly string _dataRoot = Directory.CreateTempSubdirectory("multiagent-restart-events-").FullName;

    [Fact]
    public async Task An_agent_that_exits_at_start_every_time_is_announced_restarted_then_crash_looping_and_health_names_it()
    {
        var local = new LocalInfrastructureOptions { DataRoot = _dataRoot, UseFixedPorts = false };
        IResourceBuilder<INatsServerResource>? nats = null;
        await using var model = await SmallAppModel.StartAsync(
            ["--MultiAgent:Restart:Delay=00:00:00.2", "--MultiAgent:Restart:MaxDelay=00:00:00.5", "--MultiAgent:Restart:MaxRestarts=3"],
            builder =>
            {
                nats = builder.AddNatsJetStream("nats", local).WithRestartEvents();
                // Named as the AppHost names the Coder; started by the test once it listens.
                builder.AddExecutable("coder", "sh", _dataRoot, "-c", "echo 'bad setting' >&2; exit 3")
                    .WithRestartPolicy()
                    .WithExplicitStart();
            });
        using var timeout = new CancellationTokenSource(SmallAppModel.Patience);
        await model.App.ResourceNotifications.WaitForResourceHealthyAsync("nats", timeout.Token);
        await using var admin = await ConnectAsync(nats!.Resource, NatsUsers.Admin, timeout.Token);
        await new JetStreamTopology(admin.CreateJetStreamContext(), Options.Create(new TaskBusOptions()), NullLogger<JetStreamTopology>.Instance)
            .EnsureAsync(timeout.Token);
        await using var repoManager = await ConnectAsync(nats.Resource, NatsUsers.ForAgent(AgentType.RepoManager), timeout.Token);
        using var crashLoops = new CrashLoopMonitor(repoManager, NullLogger<CrashLoopMonitor>.Instance);
        await crashLoops.StartAsync(timeout.Token);
        // Its subscription is in place once it hears of a crash loop published by the admin for no real part (published
        // again until it does: one sent before the subscription reached the server is lost to it).
        var probes = 0;
        await Eventually.ReturnsAsync(
            async ct =>
            {
                probes++;
                await SystemEventStream.PublishAsync(admin.CreateJetStreamContext(), RestartEvents.CrashLoop("probe", 1, 1, TimeSpan.FromSeconds(1), DateTimeOffset.UtcNow), ct);
                return crashLoops.Active([], Healthy());
            },
            l => l.Any(e => e.Resource == "probe"), TimeSpan.FromSeconds(30), "the monitor to hear of the probe");

        var started = await model.App.Services.GetRequiredService<ResourceCommandService>()
            .ExecuteCommandAsync("coder", KnownResourceCommands.StartCommand, timeout.Token);
        Assert.True(started.Success, started.Message);
        var events = (await ReadSystemEventsAsync(admin.CreateJetStreamContext(), count: probes + 3, timeout.Token)).Skip(probes).ToList();
        var active = await Eventually.ReturnsAsync(
            _ => Task.FromResult(crashLoops.Active([], Healthy())), l => l.Any(e => e.Resource == "coder"), TimeSpan.FromSeconds(30), "the monitor to hear of the crash loop");
        var report = SystemHealthEndpoints.BuildReport(
            new AgentRegistry(null!, Options.Create(new AgentRegistryOptions()), NullLogger<AgentRegistry>.Instance), Healthy(), DateTimeOffset.UtcNow, crashLoops);
        await crashLoops.StopAsync(CancellationToken.None);

        Assert.Equal(
            [("multiagent.system.coder.agent_restarted", "agent.restarted"), ("multiagent.system.coder.agent_restarted", "agent.restarted"),
             ("multiagent.system.coder.agent_crash_loop", "agent.crash_loop")],
            events.Select(e => (e.Subject, e.Event.Type)));
        Assert.All(events, e => Assert.Equal("coder", e.Event.Resource));
        Assert.Equal([1, 2], events.Take(2).Select(e => e.Event.Data!.Value.GetProperty("restart").GetInt32()));
        var loop = events[2].Event;
        Assert.StartsWith("coder exited 3 times in a row within 10 s of starting (last: exit code 3); the AppHost left it stopped (crash loop)", loop.Message);
        Assert.Equal(loop.Id, Assert.Single(active, e => e.Resource == "coder").Id);
        Assert.Equal("Unhealthy", report.Status);
        Assert.Contains($"crash loop since {loop.Timestamp.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z: {loop.Message}", report.Problems);
    }

    private static DependencySnapshot Healthy() =>
        new(true, "Open", null, true, 0, 0, true, 1, null, DateTimeOffset.UtcNow);

    private static async Task<NatsConnection> ConnectAsync(INatsServerResource nats, string user, CancellationToken cancellationToken)
    {
        var url = await nats.ConnectionStringFor(user).GetValueAsync(cancellationToken) ?? throw new InvalidOperationException("no NATS URL");
        var connection = new NatsConnection(NatsConnectionString.ToOptions(url));
        await connection.ConnectAsync();
        return connection;
    }

    /// <summary>The first <paramref name="count"/> system events the stream holds, oldest first.</summary>
    private static async Task<List<(string Subject, SystemEvent Event)>> ReadSystemEventsAsync(INatsJSContext js, int count, CancellationToken cancellationToken)
    {
        var consumer = await js.CreateOrderedConsumerAsync(
            Subjects.EventsStream, new NatsJSOrderedConsumerOpts { DeliverPolicy = ConsumerConfigDeliverPolicy.All }, cancellationToken);
        var events = new List<(string, SystemEvent)>();
        await foreach (var message in consumer.ConsumeAsync(NatsRawSerializer<byte[]>.Default, cancellationToken: cancellationToken))
        {
            events.Add((message.Subject, MessageSerializer.DeserializeMessage<SystemEvent>(message.Data ?? [])));
            if (events.Count == count)
            {
                break;
            }
        }

        return events;
    }

    public void Dispose() => Directory.Delete(_dataRoot, recursive: true);
}
