using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Agents.Coder.Safety;

namespace Agents.Coder.Tools;

/// <summary><c>list_files(path?, recursive?)</c>: the files under a folder, bounded, without .git.</summary>
public sealed class ListFilesTool(WorkspacePaths paths, CoderOptions options) : CodingTool(
    "list_files",
    "List the files and folders under a folder of the repository (default: the root). Folders end with '/'. " +
    "recursive (default true) descends into sub-folders. The .git folder is never listed; long listings are cut.",
    """
    {"type":"object","properties":{
      "path":{"type":"string","description":"Folder relative to the repository root; empty for the root."},
      "recursive":{"type":"boolean","description":"Descend into sub-folders (default true)."}},
     "additionalProperties":false}
    """)
{
    protected override Task<string> RunCoreAsync(ToolArguments arguments, CancellationToken cancellationToken)
    {
        var folder = paths.Resolve(arguments.String("path"));
        var recursive = arguments.Bool("recursive") ?? true;
        if (!Directory.Exists(folder))
        {
            throw new ToolException(File.Exists(folder)
                ? $"'{paths.Relative(folder)}' is a file, not a folder; use read_file"
                : $"folder '{arguments.String("path")}' does not exist");
        }

        var listed = new List<string>();
        var more = 0;
        var pending = new Queue<string>([folder]);
        while (pending.Count > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var current = pending.Dequeue();
            foreach (var entry in new DirectoryInfo(current).EnumerateFileSystemInfos().OrderBy(e => e.Name, StringComparer.Ordinal))
            {
                if (entry.Name == ".git")
                {
                    continue;
                }

                var isFolder = entry is DirectoryInfo && entry.LinkTarget is null;
                if (listed.Count < options.MaxListedFiles)
                {
                    listed.Add(paths.Relative(entry.FullName) + (isFolder ? "/" : ""));
                }
                else
                {
                    more++;
                }

                if (isFolder && recursive)
                {
                    pending.Enqueue(entry.FullName);
                }
            }
        }

        var text = new StringBuilder();
        if (listed.Count == 0)
        {
            text.Append("(empty)");
        }

        text.AppendJoin('\n', listed);
        if (more > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"\n[... {more} more entries not listed; list a sub-folder]");
        }

        return Task.FromResult(text.ToString());
    }
}

/// <summary><c>read_file(path, start_line?, line_count?)</c>: a window of a text file, saying how many lines it has.</summary>
public sealed class ReadFileTool(WorkspacePaths paths, CoderOptions options) : CodingTool(
    "read_file",
    "Read a text file of the repository, a window of lines at a time: start_line (1-based, default 1) and line_count " +
    "(default 400). The first line of the result says which lines are shown and how many the file has.",
    """
    {"type":"object","properties":{
      "path":{"type":"string","description":"File relative to the repository root."},
      "start_line":{"type":"integer","minimum":1,"description":"First line to show, 1-based."},
      "line_count":{"type":"integer","minimum":1,"description":"How many lines to show."}},
     "required":["path"],"additionalProperties":false}
    """)
{
    private const long MaxFileBytes = 16 * 1024 * 1024;

    protected override async Task<string> RunCoreAsync(ToolArguments arguments, CancellationToken cancellationToken)
    {
        var path = arguments.RequiredString("path");
        var file = paths.Resolve(path);
        if (!File.Exists(file))
        {
            throw new ToolException(Directory.Exists(file) ? $"'{path}' is a folder; use list_files" : $"file '{path}' does not exist");
        }

        if (new FileInfo(file).Length > MaxFileBytes)
        {
            throw new ToolException($"'{path}' is larger than {MaxFileBytes / (1024 * 1024)} MB; use search to find what you need in it");
        }

        var start = Math.Max(1, arguments.Int("start_line") ?? 1);
        var count = Math.Max(1, arguments.Int("line_count") ?? options.DefaultReadLines);
        var text = await File.ReadAllTextAsync(file, cancellationToken);
        var lines = text.Split('\n');
        var total = text.EndsWith('\n') ? lines.Length - 1 : lines.Length;
        if (total == 0)
        {
            return $"{paths.Relative(file)}: empty file (0 lines)";
        }

        if (start > total)
        {
            throw new ToolException($"start_line {start} is past the end of '{path}', which has {total} lines");
        }

        var end = (int)Math.Min((long)start + count - 1, total);
        var body = new StringBuilder();
        body.Append(CultureInfo.InvariantCulture, $"{paths.Relative(file)}: lines {start}-{end} of {total}");
        if (end < total)
        {
            body.Append(CultureInfo.InvariantCulture, $" (more: start_line {end + 1})");
        }

        body.Append('\n');
        for (var i = start; i <= end && body.Length < options.MaxToolOutputChars; i++)
        {
            body.Append(lines[i - 1].TrimEnd('\r')).Append('\n');
        }

        return TextLimits.HeadTail(body.ToString(), options.MaxToolOutputChars);
    }
}

/// <summary><c>search(pattern, path?)</c>: a regular expression over the repository's text files, grep-like.</summary>
public sealed class SearchTool(WorkspacePaths paths, CoderOptions options) : CodingTool(
    "search",
    "Search the repository's text files for a regular expression (.NET syntax), like grep. Each match is " +
    "'path:line: text'. path limits the search to a folder or file. Results are bounded.",
    """
    {"type":"object","properties":{
      "pattern":{"type":"string","description":"Regular expression to look for, line by line."},
      "path":{"type":"string","description":"Folder or file to search in, relative to the repository root."}},
     "required":["pattern"],"additionalProperties":false}
    """)
{
    private const long MaxFileBytes = 2 * 1024 * 1024;

    protected override async Task<string> RunCoreAsync(ToolArguments arguments, CancellationToken cancellationToken)
    {
        var pattern = arguments.RequiredString("pattern");
        Regex regex;
        try
        {
            regex = new Regex(pattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        }
        catch (ArgumentException ex)
        {
            throw new ToolException($"invalid regular expression: {ex.Message}");
        }

        var root = paths.Resolve(arguments.String("path"));
        IEnumerable<string> files = File.Exists(root) ? [root]
            : Directory.Exists(root) ? FilesUnder(root)
            : throw new ToolException($"'{arguments.String("path")}' does not exist");

        var matches = new List<string>();
        var truncated = false;
        foreach (var file in files)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (new FileInfo(file).Length > MaxFileBytes || await IsBinaryAsync(file, cancellationToken))
            {
                continue;
            }

            var number = 0;
            foreach (var line in await File.ReadAllLinesAsync(file, cancellationToken))
            {
                number++;
                bool hit;
                try
                {
                    hit = regex.IsMatch(line);
                }
                catch (RegexMatchTimeoutException)
                {
                    throw new ToolException("the regular expression took too long; simplify it");
                }

                if (!hit)
                {
                    continue;
                }

                if (matches.Count == options.MaxSearchResults)
                {
                    truncated = true;
                    break;
                }

                var shown = line.Length > 300 ? line[..300] + "…" : line;
                matches.Add($"{paths.Relative(file)}:{number}: {shown}");
            }

            if (truncated)
            {
                break;
            }
        }

        if (matches.Count == 0)
        {
            return "no matches";
        }

        var text = string.Join('\n', matches);
        if (truncated)
        {
            text += $"\n[only the first {options.MaxSearchResults} matches are shown; narrow the pattern or the path]";
        }

        return TextLimits.HeadTail(text, options.MaxToolOutputChars);
    }

    private static IEnumerable<string> FilesUnder(string folder)
    {
        var pending = new Stack<string>([folder]);
        while (pending.Count > 0)
        {
            var current = pending.Pop();
            foreach (var entry in new DirectoryInfo(current).EnumerateFileSystemInfos().OrderByDescending(e => e.Name, StringComparer.Ordinal))
            {
                if (entry.Name == ".git" || entry.LinkTarget is not null)
                {
                    continue;
                }

                if (entry is DirectoryInfo)
                {
                    pending.Push(entry.FullName);
                }
            }

            foreach (var file in Directory.EnumerateFiles(current).Order(StringComparer.Ordinal))
            {
                if (new FileInfo(file).LinkTarget is null)
                {
                    yield return file;
                }
            }
        }
    }

    private static async Task<bool> IsBinaryAsync(string file, CancellationToken cancellationToken)
    {
        var buffer = new byte[8192];
        await using var stream = File.OpenRead(file);
        var read = await stream.ReadAsync(buffer, cancellationToken);
        return Array.IndexOf(buffer, (byte)0, 0, read) >= 0;
    }
}

/// <summary><c>write_file(path, content)</c>: creates or replaces a file, creating its folders.</summary>
public sealed class WriteFileTool(WorkspacePaths paths) : CodingTool(
    "write_file",
    "Create a file, or replace its whole content, creating missing folders. Prefer edit_file for changes to existing files.",
    """
    {"type":"object","properties":{
      "path":{"type":"string","description":"File relative to the repository root."},
      "content":{"type":"string","description":"The complete new content of the file."}},
     "required":["path","content"],"additionalProperties":false}
    """)
{
    protected override async Task<string> RunCoreAsync(ToolArguments arguments, CancellationToken cancellationToken)
    {
        var path = arguments.RequiredString("path");
        var content = arguments.RequiredString("content");
        var file = paths.Resolve(path);
        if (file == paths.Root || Directory.Exists(file))
        {
            throw new ToolException($"'{path}' is a folder");
        }

        var existed = File.Exists(file);
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        paths.Resolve(path); // the folders just created are plain folders; check again for a race with a link
        await File.WriteAllTextAsync(file, content, cancellationToken);
        var lines = content.Length == 0 ? 0 : content.Count(c => c == '\n') + (content.EndsWith('\n') ? 0 : 1);
        return $"{(existed ? "replaced" : "created")} {paths.Relative(file)} ({lines} lines)";
    }
}

/// <summary><c>edit_file(path, old_text, new_text)</c>: replaces the one exact occurrence of old_text.</summary>
public sealed class EditFileTool(WorkspacePaths paths) : CodingTool(
    "edit_file",
    "Replace text in a file: old_text must occur exactly once in the file (copy it exactly, including whitespace, with " +
    "enough surrounding lines to be unique); it is replaced by new_text.",
    """
    {"type":"object","properties":{
      "path":{"type":"string","description":"File relative to the repository root."},
      "old_text":{"type":"string","description":"The exact text to replace; must occur exactly once."},
      "new_text":{"type":"string","description":"The text to put in its place."}},
     "required":["path","old_text","new_text"],"additionalProperties":false}
    """)
{
    protected override async Task<string> RunCoreAsync(ToolArguments arguments, CancellationToken cancellationToken)
    {
        var path = arguments.RequiredString("path");
        var oldText = arguments.RequiredString("old_text");
        var newText = arguments.RequiredString("new_text");
        var file = paths.Resolve(path);
        if (!File.Exists(file))
        {
            throw new ToolException($"file '{path}' does not exist; use write_file to create it");
        }

        if (oldText.Length == 0)
        {
            throw new ToolException("old_text is empty; give the exact text to replace");
        }

        var content = await File.ReadAllTextAsync(file, cancellationToken);
        var first = content.IndexOf(oldText, StringComparison.Ordinal);
        if (first < 0)
        {
            throw new ToolException($"old_text not found in '{path}'; read the file and copy the text exactly");
        }

        var count = 0;
        for (var at = first; at >= 0; at = content.IndexOf(oldText, at + 1, StringComparison.Ordinal))
        {
            count++;
        }

        if (count > 1)
        {
            throw new ToolException($"old_text matches {count} times in '{path}'; include more context");
        }

        await File.WriteAllTextAsync(file, string.Concat(content.AsSpan(0, first), newText, content.AsSpan(first + oldText.Length)), cancellationToken);
        return $"edited {paths.Relative(file)}";
    }
}
