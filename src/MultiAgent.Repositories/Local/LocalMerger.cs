using MultiAgent.Repositories.Git;
using MultiAgent.Repositories.Internal;

namespace MultiAgent.Repositories.Local;

/// <summary>
/// Merges a pull request the way a host would: in a throw-away non-bare clone, check out the base, merge the reviewed
/// head commit (<c>--no-ff</c>, or <c>--squash</c> and a commit), and push the base back. A conflict is aborted and
/// reported; nothing is pushed then.
/// </summary>
internal sealed class LocalMerger(GitCli git, LocalGitHostOptions options)
{
    /// <summary>Returns the new commit on the base branch. <paramref name="beforePush"/> sees it before it is pushed.</summary>
    public async Task<string> MergeAsync(
        LocalRepository repository,
        LocalPullRequest pullRequest,
        string headSha,
        MergeMethod method,
        Func<string, Task> beforePush,
        CancellationToken cancellationToken)
    {
        Folders.CreatePrivate(options.ScratchRoot);
        var scratch = Path.Combine(options.ScratchRoot, $"merge-{Guid.NewGuid():N}");
        var run = new GitRunOptions { Identity = new GitIdentity(options.MergeAuthorName, options.MergeAuthorEmail) };
        try
        {
            await git.RunAsync(
                options.ScratchRoot,
                ["clone", "--quiet", "--no-tags", "--branch", pullRequest.BaseBranch, "--", repository.Path, scratch],
                cancellationToken);
            var present = await git.RunAsync(scratch, ["cat-file", "-e", headSha + "^{commit}"], new GitRunOptions { ThrowOnFailure = false }, cancellationToken);
            if (!present.Succeeded)
            {
                throw new RepositoryHostException(
                    RepositoryErrorKind.HeadChanged,
                    $"Pull request #{pullRequest.Number}: commit {headSha} is no longer on '{pullRequest.HeadBranch}'; nothing was merged.");
            }

            if (method == MergeMethod.Squash)
            {
                await MergeStepAsync(scratch, pullRequest, ["merge", "--squash", "--no-verify", headSha], ["reset", "--hard", "--quiet"], run, cancellationToken);
                var staged = await git.RunAsync(scratch, ["diff", "--cached", "--quiet"], new GitRunOptions { ThrowOnFailure = false }, cancellationToken);
                if (staged.Succeeded)
                {
                    throw new RepositoryHostException(
                        RepositoryErrorKind.Validation,
                        $"Pull request #{pullRequest.Number}: '{pullRequest.BaseBranch}' already has all its changes; nothing to merge.");
                }

                var message = $"{pullRequest.Title} (#{pullRequest.Number})\n\n{pullRequest.Body}".TrimEnd();
                await git.RunAsync(scratch, ["commit", "--quiet", "--no-verify", "-m", message], run, cancellationToken);
            }
            else
            {
                var message = $"Merge pull request #{pullRequest.Number} from {pullRequest.HeadBranch}\n\n{pullRequest.Title}";
                await MergeStepAsync(
                    scratch, pullRequest, ["merge", "--no-ff", "--no-edit", "--no-verify", "-m", message, headSha], ["merge", "--abort"], run, cancellationToken);
            }

            var mergeSha = (await git.RunAsync(scratch, ["rev-parse", "HEAD"], cancellationToken)).Output.Trim();
            await beforePush(mergeSha);
            await PushAsync(scratch, pullRequest, cancellationToken);
            return mergeSha;
        }
        finally
        {
            Folders.TryDelete(scratch);
        }
    }

    private async Task MergeStepAsync(
        string scratch, LocalPullRequest pullRequest, string[] merge, string[] abort, GitRunOptions run, CancellationToken cancellationToken)
    {
        var result = await git.RunAsync(scratch, merge, run with { ThrowOnFailure = false }, cancellationToken);
        if (result.Succeeded)
        {
            return;
        }

        var conflicted = await git.RunAsync(scratch, ["diff", "--name-only", "--diff-filter=U"], new GitRunOptions { ThrowOnFailure = false }, cancellationToken);
        if (conflicted.Output.Trim().Length == 0)
        {
            throw new RepositoryHostException(
                RepositoryErrorKind.GitFailed,
                $"Merging pull request #{pullRequest.Number} failed: {GitFailure.Tail(result.Error + "\n" + result.Output, 2000)}");
        }

        await git.RunAsync(scratch, abort, new GitRunOptions { ThrowOnFailure = false }, cancellationToken);
        var files = conflicted.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        throw new RepositoryHostException(
            RepositoryErrorKind.MergeConflict,
            $"Pull request #{pullRequest.Number} ('{pullRequest.HeadBranch}') conflicts with '{pullRequest.BaseBranch}' in {string.Join(", ", files)}; nothing was merged.");
    }

    private async Task PushAsync(string scratch, LocalPullRequest pullRequest, CancellationToken cancellationToken)
    {
        var push = await git.RunAsync(
            scratch, ["push", "--quiet", "origin", "HEAD:refs/heads/" + pullRequest.BaseBranch], new GitRunOptions { ThrowOnFailure = false }, cancellationToken);
        if (push.Succeeded)
        {
            return;
        }

        var error = GitFailure.Tail(push.Error, 2000);
        if (error.Contains("checked out", StringComparison.OrdinalIgnoreCase) || error.Contains("denyCurrentBranch", StringComparison.Ordinal))
        {
            throw new RepositoryHostException(
                RepositoryErrorKind.GitFailed,
                $"Cannot merge pull request #{pullRequest.Number}: '{pullRequest.BaseBranch}' is checked out in the non-bare repository, " +
                $"and git refuses to push into it. Use a bare repository (git init --bare) for the local host. git said: {error}");
        }

        if (error.Contains("non-fast-forward", StringComparison.OrdinalIgnoreCase) || error.Contains("fetch first", StringComparison.OrdinalIgnoreCase))
        {
            throw new RepositoryHostException(
                RepositoryErrorKind.Unavailable,
                $"'{pullRequest.BaseBranch}' moved while pull request #{pullRequest.Number} was being merged; nothing was merged, try again.");
        }

        throw new RepositoryHostException(
            GitFailure.Classify(push.Error), $"Pushing the merge of pull request #{pullRequest.Number} to '{pullRequest.BaseBranch}' failed: {error}");
    }
}
