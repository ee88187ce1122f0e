namespace Agents.Reviewer;

/// <summary>Settings of the Reviewer, bound from <see cref="SectionName"/>.</summary>
public sealed class ReviewerOptions
{
    public const string SectionName = "MultiAgent:Reviewer";

    /// <summary>
    /// The largest diff (in characters) sent to the model in one request. A larger diff is split by file into chunks
    /// under this size, each reviewed on its own; a single file larger than this is cut.
    /// </summary>
    public int MaxDiffChars { get; set; } = 60_000;
}
