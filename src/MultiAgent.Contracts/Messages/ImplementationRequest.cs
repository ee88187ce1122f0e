namespace MultiAgent.Contracts;

/// <summary>Repo Manager → Coder: implement (or revise) a change and open/update a pull request.</summary>
/// <param name="JobId">The job this work belongs to.</param>
/// <param name="TaskId">Id of this unit of work; echoed in the result.</param>
/// <param name="Repository">Target repository, e.g. "owner/name".</param>
/// <param name="BaseBranch">Branch to start from (resolved; never null here).</param>
/// <param name="Title">Short title of the feature.</param>
/// <param name="Iteration">1-based implement/review round.</param>
/// <param name="Description">What to build.</param>
/// <param name="Requirements">Individual requirements / acceptance criteria; never null.</param>
/// <param name="PreviousReviewComments">Comments from the previous review to address; empty on the first iteration; never null.</param>
/// <param name="ExistingBranch">Branch from a previous iteration to continue on, if any.</param>
/// <param name="ExistingPullRequestNumber">Pull request from a previous iteration to update, if any.</param>
/// <param name="Budget">The job's budget, if it has one: the task's model calls stop once the job has used it up.</param>
/// <param name="Spent">What the job's model calls had used when the task was sent.</param>
/// <param name="MergeBase">
/// The pull request no longer merges into the base branch: bring the base branch into <paramref name="ExistingBranch"/>
/// and resolve the conflicts (the Coder shows the model the conflicting hunks).
/// </param>
public sealed record ImplementationRequest(
    string JobId,
    string TaskId,
    string Repository,
    string BaseBranch,
    string Title,
    int Iteration,
    string Description = "",
    IReadOnlyList<string>? Requirements = null,
    IReadOnlyList<ReviewComment>? PreviousReviewComments = null,
    string? ExistingBranch = null,
    int? ExistingPullRequestNumber = null,
    JobBudget? Budget = null,
    TokenUsage? Spent = null,
    bool MergeBase = false)
{
    /// <summary>Individual requirements / acceptance criteria; never null.</summary>
    public IReadOnlyList<string> Requirements { get; init; } = Requirements ?? [];

    /// <summary>Comments from the previous review to address; empty on the first iteration; never null.</summary>
    public IReadOnlyList<ReviewComment> PreviousReviewComments { get; init; } = PreviousReviewComments ?? [];
}
