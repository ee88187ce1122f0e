namespace MultiAgent.Repositories.Git;

/// <summary>Branch-name checks and ref lookups shared by the local host and the workspaces.</summary>
internal static class GitRefs
{
    /// <summary>
    /// Throws Validation unless <paramref name="branch"/> is a valid branch name (<see cref="BranchName"/>: git's rules,
    /// and not a name that could pass for an option, nor one that begins with <c>refs/</c>).
    /// </summary>
    public static void EnsureValidBranch(string? branch, string what)
    {
        if (BranchName.WhyInvalid(branch) is not null || branch!.StartsWith("refs/", StringComparison.Ordinal))
        {
            throw new RepositoryHostException(RepositoryErrorKind.Validation, $"'{branch}' is not a valid {what} branch name.");
        }
    }

    /// <summary>The commit <paramref name="revision"/> names, or null if it names none.</summary>
    public static async Task<string?> TryResolveAsync(
        GitCli git, string workingDirectory, IReadOnlyList<string> gitDirArguments, string revision, CancellationToken cancellationToken)
    {
        var result = await git.RunAsync(
            workingDirectory,
            [.. gitDirArguments, "rev-parse", "--verify", "--quiet", "--end-of-options", revision + "^{commit}"],
            new GitRunOptions { ThrowOnFailure = false },
            cancellationToken);
        return result.Succeeded ? result.Output.Trim() : null;
    }
}
