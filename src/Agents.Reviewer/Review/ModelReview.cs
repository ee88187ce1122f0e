using MultiAgent.Contracts;

namespace Agents.Reviewer.Review;

/// <summary>A verdict as the model gave it (or as combined and adjusted by the policy).</summary>
internal sealed record ModelReview(ReviewDecision Decision, string Summary, IReadOnlyList<ReviewComment> Comments);
