using Agents.RepoManager.Projects;
using Microsoft.Extensions.DependencyInjection.Extensions;
using MultiAgent.Llm;
using MultiAgent.Repositories.GitHub;
using MultiAgent.Repositories.Local;

namespace Agents.RepoManager.Workflow;

/// <summary>
/// Registers the job workflow, the project workflow (planner, listener), their settings and the repository hosts they
/// merge and close pull requests on. Needs AddLlm registered (the planner's model).
/// </summary>
public static class WorkflowServiceCollectionExtensions
{
    public static IServiceCollection AddJobWorkflow(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddLocalGitHost(configuration);
        services.AddGitHubHost(configuration);
        services.AddOptions<WorkflowOptions>()
            .Bind(configuration.GetSection(WorkflowOptions.SectionName))
            .Validate(o => o.MaxConflictRounds >= 0, "MultiAgent:Workflow:MaxConflictRounds must not be negative.")
            .ValidateOnStart();
        services.AddSingleton<MergeGate>();
        services.TryAddSingleton<JobWorkflow>();
        services.TryAddSingleton<JobStopper>();
        services.AddOptions<ProjectOptions>()
            .Bind(configuration.GetSection(ProjectOptions.SectionName))
            .Validate(o => o.MaxParallelJobs >= 1, "MultiAgent:Projects:MaxParallelJobs must be at least 1.")
            .Validate(o => o.MaxFeatures is >= 1 and <= 100, "MultiAgent:Projects:MaxFeatures must be between 1 and 100.")
            .Validate(o => o.TokenBudget is null or > 0 && o.CostBudget is null or > 0, "MultiAgent:Projects:TokenBudget and :CostBudget must be positive.")
            .ValidateOnStart();
        services.TryAddSingleton<ITaskModelProvider, LlmTaskModelProvider>();
        services.TryAddSingleton<ProjectPlanner>();
        services.TryAddSingleton<ProjectWorkflow>();
        services.AddHostedService<ProjectEventListener>();
        return services;
    }
}
