using MultiAgent.Contracts;

namespace Agents.RepoManager.Projects;

/// <summary>How the Repo Manager plans and runs projects, bound from <c>MultiAgent:Projects</c>.</summary>
public sealed class ProjectOptions
{
    public const string SectionName = "MultiAgent:Projects";

    /// <summary>How many feature jobs of one project run at the same time (at least 1).</summary>
    public int MaxParallelJobs { get; set; } = 2;

    /// <summary>The most features a plan may have; a plan with more is sent back to the model (1 to 100).</summary>
    public int MaxFeatures { get; set; } = 12;

    /// <summary>Whether a plan waits for <c>approve-plan</c> unless the request says otherwise (<c>--plan-only</c>, <c>--auto</c>).</summary>
    public bool RequirePlanApproval { get; set; }

    /// <summary>Tokens a whole project (planning and every job) may use, unless its request names a budget; none by default.</summary>
    public long? TokenBudget { get; set; }

    /// <summary>Estimated cost a whole project may reach, unless its request names a budget; none by default.</summary>
    public decimal? CostBudget { get; set; }

    /// <summary>The default budget of a project, or null when neither cap is set.</summary>
    public JobBudget? DefaultBudget => TokenBudget is null && CostBudget is null ? null : new JobBudget(TokenBudget, CostBudget);
}
