namespace MultiAgent.Repositories.Local;

/// <summary>Settings of the <see cref="LocalGitHost"/>, bound from <see cref="SectionName"/>.</summary>
public sealed class LocalGitHostOptions
{
    public const string SectionName = LocalRepositoryPolicy.SectionName;

    /// <summary>
    /// The folders local repositories must lie in (<c>MultiAgent:LocalGit:AllowedRoots:0</c>, <c>:1</c>, …; absolute
    /// paths): every operation on a repository whose real path is elsewhere is refused (<see cref="LocalRepositoryPolicy"/>).
    /// Empty (the default of the library): no local repository is allowed. The AppHost always gives the agents its list,
    /// by default <c>&lt;DataRoot&gt;/repos</c>.
    /// </summary>
    public IList<string> AllowedRoots { get; } = [];

    /// <summary>Where merges are prepared, in throw-away clones; defaults to a folder under the system temp folder.</summary>
    public string ScratchRoot { get; set; } = Path.Combine(Path.GetTempPath(), "multiagent-local-merges");

    /// <summary>Author and committer of merge and squash commits.</summary>
    public string MergeAuthorName { get; set; } = "MultiAgent";

    /// <summary>E-mail of <see cref="MergeAuthorName"/>.</summary>
    public string MergeAuthorEmail { get; set; } = "merge@multiagent.local";
}
