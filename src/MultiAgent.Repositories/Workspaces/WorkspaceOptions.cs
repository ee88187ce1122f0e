namespace MultiAgent.Repositories.Workspaces;

/// <summary>Settings of the <see cref="WorkspaceManager"/>, bound from <see cref="SectionName"/>.</summary>
public sealed class WorkspaceOptions
{
    public const string SectionName = "MultiAgent:Workspaces";

    /// <summary>Folder the workspaces are created in, one private sub-folder each.</summary>
    public string Root { get; set; } = Path.Combine(Path.GetTempPath(), "multiagent-workspaces");

    /// <summary>Every workspace branch starts with this; nothing else is ever pushed.</summary>
    public string BranchPrefix { get; set; } = "agent/";

    /// <summary>Author and committer of the workspace's commits.</summary>
    public string AuthorName { get; set; } = "MultiAgent Coder";

    /// <summary>E-mail of <see cref="AuthorName"/>.</summary>
    public string AuthorEmail { get; set; } = "coder@multiagent.local";

    /// <summary>Keep the folder of a workspace that completed unsuccessfully (to look into it); it is evicted later like any leftover.</summary>
    public bool KeepOnFailure { get; set; }

    /// <summary>
    /// Bound on the disk space of all workspaces under <see cref="Root"/>: before a new one is created, the oldest
    /// leftovers (not in use) are removed until the total is below it; if it cannot be, the new one is refused.
    /// </summary>
    public long MaxTotalBytes { get; set; } = 5L * 1024 * 1024 * 1024;
}
