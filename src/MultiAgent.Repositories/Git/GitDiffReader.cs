using System.Globalization;

namespace MultiAgent.Repositories.Git;

/// <summary>
/// Reads <c>git diff &lt;from&gt;...&lt;to&gt;</c> (the changes on <c>to</c> since the merge base) as a unified diff
/// and as <see cref="ChangedFile"/>s: status from <c>--raw</c>, counts from <c>--numstat</c> (one git process for both), and each
/// file's hunks (from its first <c>@@</c>, like GitHub's per-file patch; empty for binary files and pure renames).
/// </summary>
internal static class GitDiffReader
{
    private static readonly string[] Common = ["diff", "--no-color", "--no-ext-diff", "--no-textconv", "-M"];

    public static async Task<(string UnifiedDiff, IReadOnlyList<ChangedFile> Files)> ReadAsync(
        GitCli git,
        string workingDirectory,
        IReadOnlyList<string> gitDirArguments,
        string from,
        string to,
        CancellationToken cancellationToken)
    {
        var range = $"{from}...{to}";
        var patch = (await git.RunAsync(workingDirectory, [.. gitDirArguments, .. Common, range, "--"], cancellationToken)).Output;
        // One process for both summaries: every --raw entry (its status), then every --numstat entry (its line counts).
        var summary = (await git.RunAsync(workingDirectory, [.. gitDirArguments, .. Common, "--raw", "--numstat", "-z", range, "--"], cancellationToken)).Output;

        var tokens = summary.Split('\0');
        var statuses = ParseRaw(tokens, out var next);
        var numbers = ParseNumstat(tokens, next);
        var patches = SplitPatch(patch);
        if (statuses.Count != numbers.Count || statuses.Count != patches.Count)
        {
            throw new RepositoryHostException(
                RepositoryErrorKind.GitFailed,
                $"git diff {range} listed {statuses.Count} files by status, {numbers.Count} by line counts and {patches.Count} patches.");
        }

        var files = new List<ChangedFile>(statuses.Count);
        for (var i = 0; i < statuses.Count; i++)
        {
            var (status, path, previous) = statuses[i];
            files.Add(new ChangedFile(path, status, numbers[i].Additions, numbers[i].Deletions, patches[i], previous));
        }

        return (patch, files);
    }

    // ":<old mode> <new mode> <old sha> <new sha> <status>", then the path, or the old and the new path of a rename or copy.
    private static List<(FileChangeStatus Status, string Path, string? Previous)> ParseRaw(string[] tokens, out int next)
    {
        var entries = new List<(FileChangeStatus, string, string?)>();
        var i = 0;
        while (i + 1 < tokens.Length && tokens[i].StartsWith(':'))
        {
            var code = tokens[i][(tokens[i].LastIndexOf(' ') + 1)..] is { Length: > 0 } letters ? letters[0] : 'M';
            if (code is 'R' or 'C')
            {
                entries.Add((code == 'R' ? FileChangeStatus.Renamed : FileChangeStatus.Added, tokens[i + 2], tokens[i + 1]));
                i += 3;
            }
            else
            {
                var status = code switch
                {
                    'A' => FileChangeStatus.Added,
                    'D' => FileChangeStatus.Removed,
                    _ => FileChangeStatus.Modified,
                };
                entries.Add((status, tokens[i + 1], null));
                i += 2;
            }
        }

        next = i;
        return entries;
    }

    private static List<(int Additions, int Deletions)> ParseNumstat(string[] tokens, int start)
    {
        var entries = new List<(int, int)>();
        for (var i = start; i < tokens.Length && tokens[i].Length > 0;)
        {
            var parts = tokens[i].Split('\t', 3);
            entries.Add((Count(parts[0]), Count(parts[1])));
            // A rename has an empty path field followed by the old and the new path.
            i += parts.Length == 3 && parts[2].Length == 0 ? 3 : 1;
        }

        return entries;

        // Binary files count as "-".
        static int Count(string text) => int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0;
    }

    private static List<string> SplitPatch(string patch)
    {
        var sections = new List<string>();
        if (patch.Length == 0)
        {
            return sections;
        }

        var starts = new List<int>();
        var index = 0;
        while (index < patch.Length)
        {
            if (string.CompareOrdinal(patch, index, "diff --git ", 0, 11) == 0)
            {
                starts.Add(index);
            }

            var newline = patch.IndexOf('\n', index);
            index = newline < 0 ? patch.Length : newline + 1;
        }

        for (var i = 0; i < starts.Count; i++)
        {
            var section = patch[starts[i]..(i + 1 < starts.Count ? starts[i + 1] : patch.Length)];
            var hunk = section.StartsWith("@@", StringComparison.Ordinal) ? 0 : section.IndexOf("\n@@", StringComparison.Ordinal);
            sections.Add(hunk < 0 ? string.Empty : section[(hunk == 0 ? 0 : hunk + 1)..]);
        }

        return sections;
    }
}
