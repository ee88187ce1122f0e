using System.Text;

namespace MultiAgent.Repositories.GitHub;

/// <summary>Builds a unified diff from the per-file patches GitHub's pull request files endpoint returns.</summary>
internal static class UnifiedDiff
{
    public static FileChangeStatus ParseStatus(string? status) => status?.ToLowerInvariant() switch
    {
        "added" or "copied" => FileChangeStatus.Added,
        "removed" => FileChangeStatus.Removed,
        "renamed" => FileChangeStatus.Renamed,
        _ => FileChangeStatus.Modified, // "modified", "changed", "unchanged"
    };

    /// <summary>
    /// One <c>diff --git</c> section per file, with the header lines git writes for additions, deletions and renames.
    /// A file without a patch (binary, or too large for GitHub to show) gets a "Binary files differ" line.
    /// </summary>
    public static string Assemble(IEnumerable<ChangedFile> files)
    {
        var diff = new StringBuilder();
        foreach (var file in files)
        {
            var oldPath = file.Status == FileChangeStatus.Renamed && !string.IsNullOrEmpty(file.PreviousPath) ? file.PreviousPath : file.Path;
            diff.Append("diff --git a/").Append(oldPath).Append(" b/").Append(file.Path).Append('\n');
            var oldName = "a/" + oldPath;
            var newName = "b/" + file.Path;
            switch (file.Status)
            {
                case FileChangeStatus.Added:
                    diff.Append("new file mode 100644\n");
                    oldName = "/dev/null";
                    break;
                case FileChangeStatus.Removed:
                    diff.Append("deleted file mode 100644\n");
                    newName = "/dev/null";
                    break;
                case FileChangeStatus.Renamed when oldPath != file.Path:
                    diff.Append("rename from ").Append(oldPath).Append('\n');
                    diff.Append("rename to ").Append(file.Path).Append('\n');
                    break;
            }

            if (string.IsNullOrEmpty(file.Patch))
            {
                if (file.Status != FileChangeStatus.Renamed || file.Additions + file.Deletions > 0)
                {
                    diff.Append("Binary files ").Append(oldName).Append(" and ").Append(newName).Append(" differ\n");
                }

                continue;
            }

            diff.Append("--- ").Append(oldName).Append('\n');
            diff.Append("+++ ").Append(newName).Append('\n');
            diff.Append(file.Patch);
            if (!file.Patch.EndsWith('\n'))
            {
                diff.Append('\n');
            }
        }

        return diff.ToString();
    }
}
