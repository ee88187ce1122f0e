using System.Diagnostics;
using System.Globalization;

namespace MultiAgent.IntegrationTests.Fakes.GitHub;

/// <summary>
/// What <see cref="GitHubFake"/> reads from and does to the bare repository behind a <see cref="FakeRepository"/>
/// (<see cref="FakeRepository.GitDirectory"/>): branch heads, a pull request's files, and merges. Synchronous, since the
/// fake answers under its lock; every command is a short one on a small repository.
/// </summary>
internal static class BareGit
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <summary>Branch name → head commit.</summary>
    public static Dictionary<string, string> Branches(string gitDirectory) =>
        Run(gitDirectory, "for-each-ref", "--format=%(refname:short) %(objectname)", "refs/heads/")
            .Output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(' ', 2))
            .ToDictionary(parts => parts[0], parts => parts[1], StringComparer.Ordinal);

    /// <summary>The files changed on <paramref name="head"/> since its merge base with <paramref name="baseRef"/>, as GitHub's files endpoint reports them.</summary>
    public static List<FakeFile> Files(string gitDirectory, string baseRef, string head)
    {
        var range = $"{baseRef}...{head}";
        var counts = Run(gitDirectory, "diff", "--no-renames", "--numstat", range).Output
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split('\t', 3))
            .ToDictionary(parts => parts[2], parts => (Added: Count(parts[0]), Deleted: Count(parts[1])), StringComparer.Ordinal);
        return Run(gitDirectory, "diff", "--no-renames", "--name-status", range).Output
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split('\t', 2))
            .Select(parts =>
            {
                var path = parts[1];
                var patch = Run(gitDirectory, "diff", "--no-renames", range, "--", path).Output;
                var hunks = patch.IndexOf("@@", StringComparison.Ordinal);
                var status = parts[0] switch { "A" => "added", "D" => "removed", _ => "modified" };
                var (added, deleted) = counts.GetValueOrDefault(path);
                return new FakeFile(path, status, added, deleted, hunks < 0 ? null : patch[hunks..].TrimEnd('\n'));
            })
            .ToList();
    }

    /// <summary>
    /// Merges <paramref name="headSha"/> into <paramref name="baseRef"/> in the bare repository (a merge commit, or one
    /// squashed commit), moving the branch only if it is still where it was; the new commit, or null on a conflict.
    /// </summary>
    public static string? Merge(string gitDirectory, string baseRef, string headSha, bool squash, string message)
    {
        var baseSha = Run(gitDirectory, "rev-parse", "refs/heads/" + baseRef).Output.Trim();
        var tree = Run(gitDirectory, throwOnFailure: false, "merge-tree", "--write-tree", baseSha, headSha);
        if (tree.ExitCode != 0)
        {
            return null;
        }

        string[] parents = squash ? ["-p", baseSha] : ["-p", baseSha, "-p", headSha];
        var commit = Run(gitDirectory, ["commit-tree", tree.Output.Split('\n')[0].Trim(), .. parents, "-m", message]).Output.Trim();
        Run(gitDirectory, "update-ref", "refs/heads/" + baseRef, commit, baseSha);
        return commit;
    }

    private static int Count(string numstat) => int.TryParse(numstat, CultureInfo.InvariantCulture, out var n) ? n : 0;

    private static (int ExitCode, string Output) Run(string gitDirectory, params string[] arguments) =>
        Run(gitDirectory, throwOnFailure: true, arguments);

    private static (int ExitCode, string Output) Run(string gitDirectory, bool throwOnFailure, params string[] arguments)
    {
        var start = new ProcessStartInfo("git") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in (string[])["--git-dir", gitDirectory, .. arguments])
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["GIT_CONFIG_NOSYSTEM"] = "1";
        start.Environment["GIT_CONFIG_GLOBAL"] = "/dev/null";
        start.Environment["LC_ALL"] = "C";
        foreach (var role in new[] { "AUTHOR", "COMMITTER" })
        {
            start.Environment[$"GIT_{role}_NAME"] = "GitHub Fake";
            start.Environment[$"GIT_{role}_EMAIL"] = "noreply@github.invalid";
        }

        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(Timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"git {string.Join(' ', arguments)} took longer than {Timeout.TotalSeconds:0}s");
        }

        if (throwOnFailure && process.ExitCode != 0)
        {
            throw new InvalidOperationException($"git {string.Join(' ', arguments)} failed ({process.ExitCode}): {error.Result}");
        }

        return (process.ExitCode, output);
    }
}
