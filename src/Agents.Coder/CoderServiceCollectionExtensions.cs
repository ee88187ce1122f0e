using Agents.Coder.Sandbox;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using MultiAgent.Llm;

namespace Agents.Coder;

/// <summary>Registers the Coder's handler and its settings.</summary>
public static class CoderServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="ImplementationHandler"/> with <see cref="CoderOptions"/> bound from <c>MultiAgent:Coder</c>, and the
    /// model provider (the LLM layer's sessions), and the check sandbox: probed at start-up (the isolation in force is
    /// logged) and reported by the <c>check-sandbox</c> health check. Needs the repository hosts, the workspaces and
    /// AddLlm registered.
    /// </summary>
    public static IServiceCollection AddCoder(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<CoderOptions>().Bind(configuration.GetSection(CoderOptions.SectionName));
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ITaskModelProvider, LlmTaskModelProvider>();
        services.TryAddSingleton(sp => new CheckSandbox(sp.GetRequiredService<IOptions<CoderOptions>>(), sp.GetService<ILogger<CheckSandbox>>()));
        services.AddHostedService<SandboxStartupProbe>();
        services.AddHealthChecks().AddCheck<SandboxHealthCheck>(SandboxHealthCheck.Name);
        services.TryAddSingleton<ImplementationHandler>();
        return services;
    }
}
