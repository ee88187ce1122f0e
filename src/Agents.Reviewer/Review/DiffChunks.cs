using System.Text;
using MultiAgent.Repositories;

namespace Agents.Reviewer.Review;

/// <summary>A pull request's diff in parts that each fit one model call.</summary>
internal static class DiffChunks
{
    /// <summary>The diff whole when it fits; else its files packed in order into chunks of at most <paramref name="max"/> characters.</summary>
    public static IReadOnlyList<string> Split(PullRequestDiff diff, int max)
    {
        if (diff.UnifiedDiff.Length <= max || diff.Files.Count == 0)
        {
            return [Cut(diff.UnifiedDiff, max)];
        }

        var chunks = new List<string>();
        var current = new StringBuilder();
        foreach (var file in diff.Files)
        {
            var section = Cut(FileSection(file), max);
            if (current.Length > 0 && current.Length + section.Length > max)
            {
                chunks.Add(current.ToString());
                current.Clear();
            }

            current.Append(section);
        }

        if (current.Length > 0)
        {
            chunks.Add(current.ToString());
        }

        return chunks;
    }

    private static string FileSection(ChangedFile file)
    {
        var section = new StringBuilder();
        section.Append("diff --git a/").Append(file.PreviousPath ?? file.Path).Append(" b/").Append(file.Path).Append('\n');
        section.Append("--- ").Append(file.Status == FileChangeStatus.Added ? "/dev/null" : "a/" + (file.PreviousPath ?? file.Path)).Append('\n');
        section.Append("+++ ").Append(file.Status == FileChangeStatus.Removed ? "/dev/null" : "b/" + file.Path).Append('\n');
        section.Append(file.Patch);
        if (section.Length > 0 && section[^1] != '\n')
        {
            section.Append('\n');
        }

        return section.ToString();
    }

    private static string Cut(string text, int max)
    {
        const string marker = "\n[… diff cut: too long to review in one request …]\n";
        return text.Length <= max ? text : text[..Math.Max(0, max - marker.Length)] + marker;
    }
}
