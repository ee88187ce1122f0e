namespace MultiAgent.Contracts;

/// <summary>One comment from a review.</summary>
/// <param name="File">Repository-relative path the comment is about; empty for a comment on the change as a whole.</param>
/// <param name="Severity">How much the comment matters.</param>
/// <param name="Body">The comment text (markdown).</param>
/// <param name="Line">1-based line in <paramref name="File"/>, if the comment is about a specific line.</param>
public sealed record ReviewComment(
    string File,
    ReviewCommentSeverity Severity,
    string Body,
    int? Line = null);
