using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using MultiAgent.Repositories.Git;

namespace MultiAgent.Repositories.Workspaces;

/// <summary>Registers the workspace manager.</summary>
public static class WorkspaceServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="WorkspaceManager"/> and <see cref="GitCli"/> as singletons, with <see cref="WorkspaceOptions"/>
    /// bound from <see cref="WorkspaceOptions.SectionName"/> and validated on start.
    /// </summary>
    public static IServiceCollection AddWorkspaces(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddGitCli(configuration);
        services.AddOptions<WorkspaceOptions>().Bind(configuration.GetSection(WorkspaceOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<WorkspaceOptions>, WorkspaceOptionsValidator>());
        services.TryAddSingleton<WorkspaceManager>();
        return services;
    }
}
