using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace MultiAgent.Messaging;

/// <summary>Registers the task bus.</summary>
public static class TaskBusServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="TaskBusOptions"/> (bound from <see cref="TaskBusOptions.SectionName"/> of
    /// <paramref name="configuration"/>, if given, and validated on start), <see cref="JetStreamTopology"/>,
    /// <see cref="TaskPublisher"/>, <see cref="TaskConsumer"/>, <see cref="DeadLetterPublisher"/> and
    /// <see cref="EventPublisher"/>, all singletons. Needs an <c>INatsJSContext</c> (the NATS client integration
    /// registers one) and logging.
    /// </summary>
    public static IServiceCollection AddTaskBus(this IServiceCollection services, IConfiguration? configuration = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var optionsBuilder = services.AddOptions<TaskBusOptions>();
        if (configuration is not null)
        {
            optionsBuilder.Configure(options => Bind(configuration.GetSection(TaskBusOptions.SectionName), options));
        }

        optionsBuilder.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TaskBusOptions>, TaskBusOptionsValidator>());
        services.TryAddSingleton<JetStreamTopology>();
        services.TryAddSingleton<TaskPublisher>();
        services.TryAddSingleton<TaskConsumer>();
        services.TryAddSingleton<DeadLetterPublisher>();
        services.TryAddSingleton<EventPublisher>();
        return services;
    }

    /// <summary>
    /// Binds the section onto <paramref name="options"/>. A configured RetryDelays list replaces the default schedule:
    /// the configuration binder would otherwise append the configured entries to the default ones.
    /// </summary>
    internal static void Bind(IConfigurationSection section, TaskBusOptions options)
    {
        if (section.GetSection(nameof(TaskBusOptions.RetryDelays)).GetChildren().Any())
        {
            options.RetryDelays = [];
        }

        section.Bind(options);
    }
}
