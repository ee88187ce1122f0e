namespace MultiAgent.Repositories.Git;

/// <summary>Branch-name checks and ref lookups shared by the local host and the workspaces.</summary>
internal static class GitRefs
{
    /// <summary>
    /// Throws Validation unless <paramref name="branch"/> is a valid branch name (<c>git check-ref-format</c>) that
    /// cannot be mistaken for an option.
    /// </summary>
    public static async Task EnsureValidBranchAsync(GitCli git, string? branch, string what, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(branch) || branch.StartsWith('-') || branch.StartsWith("refs/", StringComparison.Ordinal))
        {
            throw new RepositoryHostException(RepositoryErrorKind.Validation, $"'{branch}' is not a valid {what} branch name.");
        }

        var check = await git.RunAsync(
            Path.GetTempPath(), ["check-ref-format", "refs/heads/" + branch], new GitRunOptions { ThrowOnFailure = false }, cancellationToken);
        if (!check.Succeeded)
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
