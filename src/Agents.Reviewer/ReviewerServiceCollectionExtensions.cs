using Microsoft.Extensions.DependencyInjection.Extensions;
using MultiAgent.Llm;

namespace Agents.Reviewer;

/// <summary>Registers the Reviewer's handler and its settings.</summary>
public static class ReviewerServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="ReviewHandler"/> with <see cref="ReviewerOptions"/> bound from <c>MultiAgent:Reviewer</c>, and the
    /// model provider (the LLM layer's sessions). Needs the repository hosts and AddLlm registered.
    /// </summary>
    public static IServiceCollection AddReviewer(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<ReviewerOptions>()
            .Bind(configuration.GetSection(ReviewerOptions.SectionName))
            .Validate(o => o.MaxDiffChars > 0, "MultiAgent:Reviewer:MaxDiffChars must be positive.");
        services.TryAddSingleton<ITaskModelProvider, LlmTaskModelProvider>();
        services.TryAddSingleton<ReviewHandler>();
        return services;
    }
}
