namespace MultiAgent.Repositories;

/// <summary>
/// Git's rules for a branch name (<c>git check-ref-format refs/heads/&lt;name&gt;</c>), checked without running git,
/// and a little stricter: no name starts with '-', so that none can pass for an option (<c>--upload-pack=…</c>), none
/// is '@' (HEAD), blank or holds a control character beyond ASCII's (which git would take).
/// The CLI checks <c>--branch</c> with it, and the repository hosts every branch they are given.
/// </summary>
public static class BranchName
{
    /// <summary>Why git would not take <paramref name="name"/> as a branch name, or null when it would.</summary>
    public static string? WhyInvalid(string? name) =>
        string.IsNullOrWhiteSpace(name) ? "it is empty or blank"
        : name.StartsWith('-') ? "it starts with '-'"
        : name.Any(c => char.IsControl(c) || c is ' ' or '~' or '^' or ':' or '?' or '*' or '[' or '\\') ? "it contains a space, a control character or one of ~ ^ : ? * [ \\"
        : name.Contains("..", StringComparison.Ordinal) || name.Contains("@{", StringComparison.Ordinal) || name == "@" ? "it contains '..' or '@{', or is '@'"
        : name.StartsWith('/') || name.EndsWith('/') || name.EndsWith('.') || name.Contains("//", StringComparison.Ordinal) ? "it starts or ends with '/', ends with '.', or contains '//'"
        : name.Split('/').Any(part => part.StartsWith('.') || part.EndsWith(".lock", StringComparison.Ordinal)) ? "a part of it starts with '.' or ends with '.lock'"
        : null;
}
