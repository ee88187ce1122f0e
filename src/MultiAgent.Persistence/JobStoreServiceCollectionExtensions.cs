using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace MultiAgent.Persistence;

/// <summary>Registers the PostgreSQL job store.</summary>
public static class JobStoreServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="DatabaseMigrator"/>, <see cref="MigrationHostedService"/> (the schema is migrated before the
    /// host serves work), <see cref="JobStore"/>, <see cref="TaskStore"/>, <see cref="ProjectStore"/> and <see cref="EventLog"/> as singletons,
    /// and <see cref="TimeProvider.System"/> unless a TimeProvider is registered. They need an
    /// <see cref="Npgsql.NpgsqlDataSource"/>, e.g. from Aspire.Npgsql's AddNpgsqlDataSource. Calling it twice is harmless.
    /// </summary>
    public static IServiceCollection AddJobStore(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<DatabaseMigrator>();
        services.TryAddSingleton<JobStore>();
        services.TryAddSingleton<TaskStore>();
        services.TryAddSingleton<ProjectStore>();
        services.TryAddSingleton<EventLog>();
        services.AddHostedService<MigrationHostedService>();
        return services;
    }
}
