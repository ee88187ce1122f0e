using System.Globalization;
using MultiAgent.AgentRuntime.Tasks;
using MultiAgent.Contracts;

namespace Agents.Reviewer.Review;

/// <summary>
/// The Reviewer's rules on top of the model: how the parts' verdicts combine, a BLOCKING comment means REQUEST_CHANGES
/// whatever the model decided, a failed check is never approved, a bad reply is sent back once, and which failures are
/// retryable.
/// </summary>
internal static class ReviewPolicy
{
    /// <summary>Model calls per part: the first, and one repair when the reply is not the expected JSON.</summary>
    public const int ModelAttempts = 2;

    /// <summary>One verdict from the parts': changes requested if any part requests them; comments and summaries in order.</summary>
    public static ModelReview Combine(IReadOnlyList<ModelReview> parts)
    {
        if (parts.Count == 1)
        {
            return parts[0];
        }

        var decision = parts.Any(p => p.Decision == ReviewDecision.RequestChanges) ? ReviewDecision.RequestChanges : ReviewDecision.Approve;
        var summary = string.Join("\n\n", parts.Select((p, i) => string.Create(CultureInfo.InvariantCulture, $"Part {i + 1} of {parts.Count}: {p.Summary}")));
        return new ModelReview(decision, summary, [.. parts.SelectMany(p => p.Comments)]);
    }

    /// <summary>A BLOCKING comment requests changes; a failed check is never approved (and says so in a comment).</summary>
    public static ModelReview Apply(ModelReview review, CheckOutcome check)
    {
        var decision = review.Decision;
        var comments = review.Comments.ToList();
        if (comments.Any(c => c.Severity == ReviewCommentSeverity.Blocking))
        {
            decision = ReviewDecision.RequestChanges;
        }

        if (check == CheckOutcome.Failed)
        {
            decision = ReviewDecision.RequestChanges;
            comments.Add(new ReviewComment(string.Empty, ReviewCommentSeverity.Blocking,
                "The check (build and tests) failed on this head; a change whose check fails cannot be approved. Make it pass."));
        }

        return new ModelReview(decision, string.IsNullOrWhiteSpace(review.Summary) ? "(no summary)" : review.Summary, comments);
    }

    /// <summary>A reply still not the expected JSON after the repair: the task fails, not retryable (asking again would not help).</summary>
    public static NonRetryableTaskException InvalidVerdict(string error) => new($"the model's review was not valid JSON: {error}");

    /// <summary>
    /// A failed model call: retryable exactly when the runtime's classifier says so (rate limit, unavailable…). Host
    /// failures need no mapping: a <c>RepositoryHostException</c> is retryable when the host says so (<c>IsRetryable</c>).
    /// </summary>
    public static Exception ModelCallFailed(HttpRequestException ex)
    {
        var reason = $"the model call failed: {ex.Message}";
        return FailureClassifier.Classify(ex) == FailureKind.Retryable
            ? new RetryableTaskException(reason, ex)
            : new NonRetryableTaskException(reason, ex);
    }
}
