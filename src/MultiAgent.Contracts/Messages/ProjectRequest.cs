namespace MultiAgent.Contracts;

/// <summary>CLI → Repo Manager: plan a project's requirements into features, then run them in dependency order.</summary>
/// <param name="ProjectId">Id of the project; the correlation id of its planning task and events.</param>
/// <param name="Repository">Target repository.</param>
/// <param name="Requirements">What to build, as the user wrote it.</param>
/// <param name="SubmittedAt">When the request was submitted.</param>
/// <param name="BaseBranch">Branch every feature starts from and merges into; null: the repository's default branch.</param>
/// <param name="RequirePlanApproval">
/// True: wait in PLANNED for <c>approve-plan</c> (<c>--plan-only</c>); false: start as soon as planned (<c>--auto</c>);
/// null: the Repo Manager's <c>MultiAgent:Projects:RequirePlanApproval</c>.
/// </param>
/// <param name="MaxIterations">Each feature job's maximum implement/review rounds.</param>
/// <param name="RequireApproval">Whether each feature job waits for a person before it merges.</param>
/// <param name="RequestedBy">Who submitted the request, if known.</param>
/// <param name="Budget">What the whole project's model calls may use (planning and every job); null: <c>MultiAgent:Projects:TokenBudget</c> / <c>:CostBudget</c>.</param>
public sealed record ProjectRequest(
    string ProjectId,
    string Repository,
    string Requirements,
    DateTimeOffset SubmittedAt,
    string? BaseBranch = null,
    bool? RequirePlanApproval = null,
    int MaxIterations = 3,
    bool RequireApproval = false,
    string? RequestedBy = null,
    JobBudget? Budget = null)
{
    /// <summary>The most characters of a project's title.</summary>
    public const int MaxTitleLength = 72;

    /// <summary>
    /// A project's title: the first non-blank line of its requirements, without a leading bullet (<c>- </c>, <c>* </c>,
    /// <c>• </c>) or Markdown heading marks and trailing punctuation, at most <see cref="MaxTitleLength"/> characters.
    /// </summary>
    public static string TitleOf(string requirements)
    {
        ArgumentNullException.ThrowIfNull(requirements);
        var first = requirements.Split(['\n', '\r'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.TrimStart('#', ' ') is var text && text.Length > 1 && text[0] is '-' or '*' or '•' && text[1] == ' ' ? text[2..].Trim() : text.TrimStart('#', ' '))
            .FirstOrDefault(line => line.Length > 0) ?? "";
        first = first.TrimEnd(';', '.', ',', ':', ' ');
        return first.Length <= MaxTitleLength ? first : first[..(MaxTitleLength - 1)].TrimEnd() + "…";
    }
}
