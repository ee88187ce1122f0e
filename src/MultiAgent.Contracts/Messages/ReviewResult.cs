namespace MultiAgent.Contracts;

/// <summary>Reviewer → Repo Manager: verdict on a <see cref="ReviewRequest"/>.</summary>
/// <param name="JobId">The job this work belongs to.</param>
/// <param name="TaskId">The <see cref="ReviewRequest.TaskId"/> this answers.</param>
/// <param name="Iteration">The iteration this answers.</param>
/// <param name="Decision">Approve or request changes.</param>
/// <param name="Summary">Overall review summary.</param>
/// <param name="Comments">Individual comments; never null.</param>
/// <param name="TokenUsage">Tokens spent; never null.</param>
/// <param name="Error">Why the review could not be completed, if it could not.</param>
public sealed record ReviewResult(
    string JobId,
    string TaskId,
    int Iteration,
    ReviewDecision Decision,
    string Summary = "",
    IReadOnlyList<ReviewComment>? Comments = null,
    TokenUsage? TokenUsage = null,
    string? Error = null)
{
    /// <summary>Individual comments; never null.</summary>
    public IReadOnlyList<ReviewComment> Comments { get; init; } = Comments ?? [];

    /// <summary>Tokens spent; never null.</summary>
    public TokenUsage TokenUsage { get; init; } = TokenUsage ?? Contracts.TokenUsage.Zero;
}
