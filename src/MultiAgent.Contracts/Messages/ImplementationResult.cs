namespace MultiAgent.Contracts;

/// <summary>Coder → Repo Manager: outcome of an <see cref="ImplementationRequest"/>.</summary>
/// <param name="JobId">The job this work belongs to.</param>
/// <param name="TaskId">The <see cref="ImplementationRequest.TaskId"/> this answers.</param>
/// <param name="Iteration">The iteration this answers.</param>
/// <param name="Succeeded">Whether a pull request with the change exists.</param>
/// <param name="Branch">Branch holding the change; empty if none was created.</param>
/// <param name="PullRequestNumber">Pull request number, if one was opened.</param>
/// <param name="PullRequestUrl">Pull request URL; empty if none was opened.</param>
/// <param name="HeadSha">Commit SHA at the head of <paramref name="Branch"/>; empty if none.</param>
/// <param name="FilesChanged">Repository-relative paths that changed; never null.</param>
/// <param name="Summary">What was done, for the reviewer and the user.</param>
/// <param name="Check">Result of the build/test check.</param>
/// <param name="CheckOutput">Output of the check (typically truncated), if it ran.</param>
/// <param name="TokenUsage">Tokens spent; never null.</param>
/// <param name="Error">Why the work failed, if it did.</param>
public sealed record ImplementationResult(
    string JobId,
    string TaskId,
    int Iteration,
    bool Succeeded,
    string Branch = "",
    int? PullRequestNumber = null,
    string PullRequestUrl = "",
    string HeadSha = "",
    IReadOnlyList<string>? FilesChanged = null,
    string Summary = "",
    CheckOutcome Check = CheckOutcome.NotRun,
    string? CheckOutput = null,
    TokenUsage? TokenUsage = null,
    string? Error = null)
{
    /// <summary>Repository-relative paths that changed; never null.</summary>
    public IReadOnlyList<string> FilesChanged { get; init; } = FilesChanged ?? [];

    /// <summary>Tokens spent; never null.</summary>
    public TokenUsage TokenUsage { get; init; } = TokenUsage ?? Contracts.TokenUsage.Zero;
}
