using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace MultiAgent.Repositories.Git;

/// <summary>Registers the git runner.</summary>
public static class GitServiceCollectionExtensions
{
    /// <summary>Adds <see cref="GitCli"/> as a singleton, with <see cref="GitCliOptions"/> bound from <see cref="GitCliOptions.SectionName"/>.</summary>
    public static IServiceCollection AddGitCli(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<GitCliOptions>().Bind(configuration.GetSection(GitCliOptions.SectionName));
        services.TryAddSingleton(sp => new GitCli(sp.GetRequiredService<IOptions<GitCliOptions>>().Value));
        return services;
    }
}
