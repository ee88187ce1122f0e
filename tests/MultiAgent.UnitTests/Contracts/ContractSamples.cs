using System.Collections;
using MultiAgent.Contracts;

namespace MultiAgent.UnitTests.Contracts;

/// <summary>Fully populated sample messages (every property set to a non-default value) and shared helpers.</summary>
internal static class ContractSamples
{
    public static readonly DateTimeOffset SubmittedAt = new(2025, 3, 4, 5, 6, 7, 123, TimeSpan.FromHours(2));
    public static readonly DateTimeOffset CompletedAt = new(2025, 3, 5, 10, 11, 12, 456, TimeSpan.Zero);

    public static FeatureRequest FeatureRequest() => new(
        JobId: "job-42",
        Repository: "acme/widgets",
        Title: "Add dark mode",
        SubmittedAt: SubmittedAt,
        Description: "Users want a dark theme.",
        Requirements: ["toggle in settings", "persist choice"],
        BaseBranch: "develop",
        Priority: TaskPriority.High,
        MaxIterations: 5,
        RequireApproval: true,
        RequestedBy: "alice",
        Budget: new JobBudget(200_000, 2.5m),
        ProjectId: "proj-7");

    public static ProjectRequest ProjectRequest() => new(
        ProjectId: "proj-7",
        Repository: "acme/widgets",
        Requirements: "A login page\nA dark mode",
        SubmittedAt: SubmittedAt,
        BaseBranch: "develop",
        RequirePlanApproval: true,
        MaxIterations: 4,
        RequireApproval: true,
        RequestedBy: "alice",
        Budget: new JobBudget(500_000, 5m));

    public static ImplementationRequest ImplementationRequest() => new(
        JobId: "job-42",
        TaskId: "task-impl-2",
        Repository: "acme/widgets",
        BaseBranch: "develop",
        Title: "Add dark mode",
        Iteration: 2,
        Description: "Users want a dark theme.",
        Requirements: ["toggle in settings", "persist choice"],
        PreviousReviewComments:
        [
            new ReviewComment("src/Theme.cs", ReviewCommentSeverity.Blocking, "Null check missing.", Line: 12),
            new ReviewComment("README.md", ReviewCommentSeverity.Suggestion, "Document the toggle."),
        ],
        ExistingBranch: "feature/job-42-dark-mode",
        ExistingPullRequestNumber: 17,
        Budget: new JobBudget(200_000, 2.5m),
        Spent: new TokenUsage(1_000, 200, 0.0045m),
        MergeBase: true);

    public static ImplementationResult ImplementationResult() => new(
        JobId: "job-42",
        TaskId: "task-impl-2",
        Iteration: 2,
        Succeeded: true,
        Branch: "feature/job-42-dark-mode",
        PullRequestNumber: 17,
        PullRequestUrl: "https://github.com/acme/widgets/pull/17",
        HeadSha: "0123456789abcdef0123456789abcdef01234567",
        FilesChanged: ["src/Theme.cs", "src/Settings.cs"],
        Summary: "Added a theme toggle.",
        Check: CheckOutcome.Failed,
        CheckOutput: "1 test failed",
        TokenUsage: new TokenUsage(12_000_000_000, 3_400),
        Error: "partial failure");

    public static ReviewRequest ReviewRequest() => new(
        JobId: "job-42",
        TaskId: "task-review-2",
        Repository: "acme/widgets",
        PullRequestNumber: 17,
        PullRequestUrl: "https://github.com/acme/widgets/pull/17",
        HeadSha: "0123456789abcdef0123456789abcdef01234567",
        Iteration: 2,
        Check: CheckOutcome.Passed,
        Budget: new JobBudget(Tokens: 50_000),
        Spent: new TokenUsage(2_000, 300));

    public static ReviewResult ReviewResult() => new(
        JobId: "job-42",
        TaskId: "task-review-2",
        Iteration: 2,
        Decision: ReviewDecision.RequestChanges,
        Summary: "Nearly there.",
        Comments:
        [
            new ReviewComment("src/Theme.cs", ReviewCommentSeverity.Blocking, "Null check missing.", Line: 12),
            new ReviewComment("", ReviewCommentSeverity.Info, "Nice work overall."),
        ],
        TokenUsage: new TokenUsage(900, 100, 0.0019m),
        Error: "diff truncated");

    public static FeatureResult FeatureResult() => new(
        JobId: "job-42",
        Status: JobStatus.Completed,
        CompletedAt: CompletedAt,
        PullRequestUrl: "https://github.com/acme/widgets/pull/17",
        MergeCommitSha: "fedcba9876543210fedcba9876543210fedcba98",
        Iterations: 2,
        Summary: "Merged after two rounds.",
        Error: "none, but set for the test",
        TokenUsage: new TokenUsage(1_200, 300, 0.00435m));

    /// <summary>One of each message type, for tests that apply to all of them.</summary>
    public static IEnumerable<object> AllMessages() =>
    [
        FeatureRequest(), ImplementationRequest(), ImplementationResult(),
        ReviewRequest(), ReviewResult(), FeatureResult(), ProjectRequest(),
    ];

    /// <summary>Fails if any public property of <paramref name="message"/> holds its type's default (or an empty string/collection).</summary>
    public static void AssertFullyPopulated(object message)
    {
        foreach (var property in message.GetType().GetProperties())
        {
            var value = property.GetValue(message);
            var name = $"{message.GetType().Name}.{property.Name}";
            Assert.False(value is null, $"{name} is null");
            Assert.False(value is string { Length: 0 }, $"{name} is empty");
            Assert.False(value is ICollection { Count: 0 }, $"{name} is empty");
            if (property.PropertyType.IsValueType && Nullable.GetUnderlyingType(property.PropertyType) is null)
            {
                Assert.False(Equals(value, Activator.CreateInstance(property.PropertyType)), $"{name} holds its default value");
            }
        }
    }
}

/// <summary>A clock that always says the same time.</summary>
internal sealed class FixedTimeProvider(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
