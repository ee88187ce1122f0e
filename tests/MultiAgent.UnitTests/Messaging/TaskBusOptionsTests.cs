using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MultiAgent.Messaging;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Net;

namespace MultiAgent.UnitTests.Messaging;

public sealed class TaskBusOptionsTests
{
    [Fact]
    public void The_defaults_are_the_documented_ones()
    {
        var options = new TaskBusOptions();

        Assert.Equal(TimeSpan.FromSeconds(30), options.AckWait);
        Assert.Equal(5, options.MaxAttempts);
        Assert.Equal([1, 5, 15, 30, 60], options.RetryDelays.Select(d => d.TotalSeconds));
        Assert.Equal(TimeSpan.FromMinutes(2), options.DuplicateWindow);
        Assert.Equal(1024 * 1024, options.MaxPayloadBytes);
        Assert.Equal(64, options.MaxAckPending);
        Assert.Equal(1, options.PullBatchSize);
        Assert.Equal(TimeSpan.FromSeconds(10), options.PullExpiry);
        Assert.True(new TaskBusOptionsValidator().Validate(null, options).Succeeded);
    }

    [Theory]
    [InlineData(0UL, 1)]
    [InlineData(1UL, 1)]
    [InlineData(2UL, 5)]
    [InlineData(5UL, 60)]
    [InlineData(6UL, 60)]
    [InlineData(1000UL, 60)]
    public void GetRetryDelay_follows_the_schedule_and_repeats_the_last_entry(ulong numDelivered, int seconds)
    {
        Assert.Equal(TimeSpan.FromSeconds(seconds), new TaskBusOptions().GetRetryDelay(numDelivered));
    }

    [Fact]
    public void GetRetryDelay_is_zero_for_an_empty_schedule()
    {
        Assert.Equal(TimeSpan.Zero, new TaskBusOptions { RetryDelays = [] }.GetRetryDelay(3));
    }

    [Fact]
    public void AddTaskBus_binds_the_section_and_a_configured_schedule_replaces_the_default()
    {
        using var provider = Build(new Dictionary<string, string?>
        {
            ["MultiAgent:TaskBus:AckWait"] = "00:01:00",
            ["MultiAgent:TaskBus:MaxAttempts"] = "3",
            ["MultiAgent:TaskBus:RetryDelays:0"] = "00:00:02",
            ["MultiAgent:TaskBus:RetryDelays:1"] = "00:00:04",
            ["MultiAgent:TaskBus:MaxPayloadBytes"] = "65536",
        });

        var options = provider.GetRequiredService<IOptions<TaskBusOptions>>().Value;

        Assert.Equal(TimeSpan.FromMinutes(1), options.AckWait);
        Assert.Equal(3, options.MaxAttempts);
        Assert.Equal([TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4)], options.RetryDelays);
        Assert.Equal(65536, options.MaxPayloadBytes);
        Assert.Equal(64, options.MaxAckPending);
    }

    [Fact]
    public void AddTaskBus_keeps_the_default_schedule_when_none_is_configured()
    {
        using var provider = Build(new Dictionary<string, string?> { ["MultiAgent:TaskBus:MaxAttempts"] = "2" });

        Assert.Equal(new TaskBusOptions().RetryDelays, provider.GetRequiredService<IOptions<TaskBusOptions>>().Value.RetryDelays);
    }

    [Fact]
    public void AddTaskBus_rejects_invalid_options()
    {
        using var provider = Build(new Dictionary<string, string?>
        {
            ["MultiAgent:TaskBus:MaxAttempts"] = "0",
            ["MultiAgent:TaskBus:PullBatchSize"] = "100",
            ["MultiAgent:TaskBus:MaxDeliveries"] = "-1",
            ["MultiAgent:TaskBus:PullExpiry"] = "00:00:01",
        });

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<TaskBusOptions>>().Value);
        Assert.Contains(ex.Failures, f => f.Contains(nameof(TaskBusOptions.MaxAttempts), StringComparison.Ordinal));
        Assert.Contains(ex.Failures, f => f.Contains(nameof(TaskBusOptions.PullBatchSize), StringComparison.Ordinal));
        Assert.Contains(ex.Failures, f => f.StartsWith(nameof(TaskBusOptions.MaxDeliveries), StringComparison.Ordinal));
        Assert.Contains(ex.Failures, f => f.StartsWith(nameof(TaskBusOptions.PullExpiry), StringComparison.Ordinal));
    }

    [Fact]
    public void AddTaskBus_registers_every_component_as_a_singleton()
    {
        using var provider = Build([]);

        foreach (var type in new[] { typeof(JetStreamTopology), typeof(TaskPublisher), typeof(TaskConsumer), typeof(DeadLetterPublisher), typeof(EventPublisher) })
        {
            var first = provider.GetRequiredService(type);
            Assert.Same(first, provider.GetRequiredService(type));
        }
    }

    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddLogging();

        // Never connected: constructing the components must not need a server.
        services.AddSingleton(new NatsConnection(new NatsOpts { Url = "nats://127.0.0.1:1" }));
        services.AddSingleton<INatsJSContext>(sp => sp.GetRequiredService<NatsConnection>().CreateJetStreamContext());
        services.AddTaskBus(configuration);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }
}
