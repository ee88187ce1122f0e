namespace MultiAgent.Repositories.Local;

/// <summary>Settings of the <see cref="LocalGitHost"/>, bound from <see cref="SectionName"/>.</summary>
public sealed class LocalGitHostOptions
{
    public const string SectionName = "MultiAgent:LocalGit";

    /// <summary>Where merges are prepared, in throw-away clones; defaults to a folder under the system temp folder.</summary>
    public string ScratchRoot { get; set; } = Path.Combine(Path.GetTempPath(), "multiagent-local-merges");

    /// <summary>Author and committer of merge and squash commits.</summary>
    public string MergeAuthorName { get; set; } = "MultiAgent";

    /// <summary>E-mail of <see cref="MergeAuthorName"/>.</summary>
    public string MergeAuthorEmail { get; set; } = "merge@multiagent.local";
}
