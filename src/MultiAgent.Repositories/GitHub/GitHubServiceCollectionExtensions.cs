using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MultiAgent.Repositories.GitHub;

public static class GitHubServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="GitHubHost"/> as an <see cref="IRepositoryHost"/> (singleton), with <see cref="GitHubOptions"/>
    /// bound from <c>MultiAgent:GitHub</c>. Without a token the host is still registered; its calls then fail with
    /// Unauthorized, saying to set MultiAgent:GitHub:Token.
    /// </summary>
    public static IServiceCollection AddGitHubHost(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        services.AddOptions<GitHubOptions>().Bind(configuration.GetSection(GitHubOptions.SectionName));
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new GitHubHost(
            sp.GetRequiredService<IOptions<GitHubOptions>>().Value,
            sp.GetService<ILogger<GitHubHost>>(),
            sp.GetService<TimeProvider>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IRepositoryHost, GitHubHost>(sp => sp.GetRequiredService<GitHubHost>()));
        return services;
    }
}
