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
}
