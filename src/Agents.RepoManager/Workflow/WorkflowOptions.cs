using MultiAgent.Contracts;
using MultiAgent.Repositories;

namespace Agents.RepoManager.Workflow;

/// <summary>How the Repo Manager drives jobs, bound from <c>MultiAgent:Workflow</c>.</summary>
public sealed class WorkflowOptions
{
    public const string SectionName = "MultiAgent:Workflow";

    /// <summary>How an approved pull request is merged: a merge commit (default) or one squashed commit.</summary>
    public MergeMethod MergeMethod { get; set; } = MergeMethod.Merge;

    /// <summary>Whether a job's pull request is closed when the job is stopped or its merge is rejected.</summary>
    public bool ClosePullRequestOnStop { get; set; } = true;

    /// <summary>
    /// How many times a job whose pull request no longer merges (the base branch changed: a merge conflict) goes back to
    /// the Coder to bring the base branch in and resolve the conflict, then through review again; past that it fails
    /// and its pull request is closed. 0: a conflict fails the job at once.
    /// </summary>
    public int MaxConflictRounds { get; set; } = 2;

    /// <summary>Tokens (input + output) a job's model calls may use in all, unless its request names a budget; none by default.</summary>
    public long? JobTokenBudget { get; set; }

    /// <summary>Estimated cost (by the models' prices) a job's model calls may reach, unless its request names a budget; none by default.</summary>
    public decimal? JobCostBudget { get; set; }

    /// <summary>The default budget of a job, or null when neither cap is set.</summary>
    public JobBudget? DefaultBudget => JobTokenBudget is null && JobCostBudget is null ? null : new JobBudget(JobTokenBudget, JobCostBudget);
}
