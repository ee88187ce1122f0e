using Microsoft.Extensions.DependencyInjection.Extensions;
using MultiAgent.Repositories.GitHub;
using MultiAgent.Repositories.Local;

namespace Agents.RepoManager.Workflow;

/// <summary>Registers the job workflow, its settings and the repository hosts it merges and closes pull requests on.</summary>
public static class WorkflowServiceCollectionExtensions
{
    public static IServiceCollection AddJobWorkflow(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddLocalGitHost(configuration);
        services.AddGitHubHost(configuration);
        services.Configure<WorkflowOptions>(configuration.GetSection(WorkflowOptions.SectionName));
        services.AddSingleton<MergeGate>();
        services.TryAddSingleton<JobWorkflow>();
        return services;
    }
}
