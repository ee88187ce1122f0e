using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Agents.Coder;

/// <summary>Registers the Coder's handler and its settings.</summary>
public static class CoderServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="ImplementationHandler"/> with <see cref="CoderOptions"/> bound from <c>MultiAgent:Coder</c>, and the
    /// model provider (the LLM layer's sessions). Needs the repository hosts, the workspaces and AddLlm registered.
    /// </summary>
    public static IServiceCollection AddCoder(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<CoderOptions>().Bind(configuration.GetSection(CoderOptions.SectionName));
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ICodingModelProvider, LlmSessionModelProvider>();
        services.TryAddSingleton<ImplementationHandler>();
        return services;
    }
}
