namespace MultiAgent.Contracts;

/// <summary>Repo Manager → Reviewer: review a pull request at a given head commit.</summary>
/// <param name="JobId">The job this work belongs to.</param>
/// <param name="TaskId">Id of this unit of work; echoed in the result.</param>
/// <param name="Repository">Repository, e.g. "owner/name".</param>
/// <param name="PullRequestNumber">Pull request to review.</param>
/// <param name="PullRequestUrl">Pull request URL.</param>
/// <param name="HeadSha">Commit SHA the review applies to.</param>
/// <param name="Iteration">1-based implement/review round.</param>
/// <param name="Check">Result of the Coder's build/test check.</param>
/// <param name="Budget">The job's budget, if it has one: the task's model calls stop once the job has used it up.</param>
/// <param name="Spent">What the job's model calls had used when the task was sent.</param>
public sealed record ReviewRequest(
    string JobId,
    string TaskId,
    string Repository,
    int PullRequestNumber,
    string PullRequestUrl,
    string HeadSha,
    int Iteration,
    CheckOutcome Check = CheckOutcome.NotRun,
    JobBudget? Budget = null,
    TokenUsage? Spent = null);
