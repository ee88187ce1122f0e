using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using MultiAgent.Persistence;
using MultiAgent.Repositories.Git;

namespace MultiAgent.Repositories.Local;

/// <summary>Registers the local-git host.</summary>
public static class LocalGitHostServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="LocalGitHost"/> (also as an <see cref="IRepositoryHost"/>), <see cref="LocalPullRequestStore"/>,
    /// <see cref="GitCli"/> and <see cref="RepositoryHostResolver"/> as singletons, with <see cref="LocalGitHostOptions"/>
    /// bound from <see cref="LocalGitHostOptions.SectionName"/> and validated on start (allowed roots must be absolute). Needs an <c>NpgsqlDataSource</c> (Aspire.Npgsql registers
    /// one) and a database migrated to 0002 (AddJobStore migrates on start). Calling it twice is harmless.
    /// </summary>
    public static IServiceCollection AddLocalGitHost(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddGitCli(configuration);
        services.AddOptions<LocalGitHostOptions>().Bind(configuration.GetSection(LocalGitHostOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<LocalGitHostOptions>, LocalGitHostOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<LocalPullRequestStore>();
        services.AddMigrations(LocalPullRequestStore.Migrations);
        services.TryAddSingleton<LocalGitHost>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IRepositoryHost, LocalGitHost>(sp => sp.GetRequiredService<LocalGitHost>()));
        services.TryAddSingleton<RepositoryHostResolver>();
        return services;
    }
}
