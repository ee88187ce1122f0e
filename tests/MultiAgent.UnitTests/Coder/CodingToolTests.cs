using System.Text.Json;
using Agents.Coder.Safety;
using Agents.Coder.Tools;

namespace MultiAgent.UnitTests.Coder;

/// <summary>The tools the model calls, on a folder of the test's own.</summary>
public sealed class CodingToolTests : IDisposable
{
    private readonly CoderTestFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Read_file_returns_a_window_and_says_how_many_lines_the_file_has()
    {
        _folder.Write("big.txt", string.Concat(Enumerable.Range(1, 1000).Select(i => $"line {i}\n")));

        var text = await RunAsync("read_file", new { path = "big.txt", start_line = 10, line_count = 3 });

        Assert.Equal("big.txt: lines 10-12 of 1000 (more: start_line 13)\nline 10\nline 11\nline 12\n", text);
    }

    [Fact]
    public async Task Read_file_without_a_window_is_bounded_by_the_default_line_count()
    {
        _folder.Options.DefaultReadLines = 5;
        _folder.Write("big.txt", string.Concat(Enumerable.Range(1, 50).Select(i => $"line {i}\n")));

        var text = await RunAsync("read_file", new { path = "big.txt" });

        Assert.StartsWith("big.txt: lines 1-5 of 50", text, StringComparison.Ordinal);
        Assert.Contains("line 5\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("line 6\n", text, StringComparison.Ordinal);
        var past = await Assert.ThrowsAsync<ToolException>(() => RunAsync("read_file", new { path = "big.txt", start_line = 51 }));
        Assert.Contains("has 50 lines", past.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_files_skips_git_and_is_bounded()
    {
        _folder.Write("src/a.cs", "a");
        _folder.Write("src/deep/b.cs", "b");
        _folder.Write(".git/config", "secret");
        _folder.Write("README.md", "r");

        var all = await RunAsync("list_files", new { });
        var top = await RunAsync("list_files", new { path = "", recursive = false });
        _folder.Options.MaxListedFiles = 2;
        var bounded = await RunAsync("list_files", new { });

        Assert.Equal(["README.md", "src/", "src/a.cs", "src/deep/", "src/deep/b.cs"], all.Split('\n'));
        Assert.Equal(["README.md", "src/"], top.Split('\n'));
        Assert.Equal("README.md\nsrc/\n[... 3 more entries not listed; list a sub-folder]", bounded);
    }

    [Fact]
    public async Task Search_reports_path_line_and_text_and_is_bounded()
    {
        _folder.Write("src/a.cs", "class A\n{\n    int Value;\n}\n");
        _folder.Write("src/b.cs", "class B { int Value; }\n");
        _folder.Write(".git/x", "int Value;\n");

        var hits = await RunAsync("search", new { pattern = @"int\s+Value" });
        var inOne = await RunAsync("search", new { pattern = "class", path = "src/b.cs" });
        _folder.Options.MaxSearchResults = 1;
        var bounded = await RunAsync("search", new { pattern = "Value" });

        Assert.Equal("src/a.cs:3:     int Value;\nsrc/b.cs:1: class B { int Value; }", hits);
        Assert.Equal("src/b.cs:1: class B { int Value; }", inOne);
        Assert.StartsWith("src/a.cs:3:     int Value;\n[only the first 1 matches are shown", bounded, StringComparison.Ordinal);
        Assert.Equal("no matches", await RunAsync("search", new { pattern = "nothing-like-this" }));
        await Assert.ThrowsAsync<ToolException>(() => RunAsync("search", new { pattern = "(" }));
    }

    [Fact]
    public async Task Write_file_creates_missing_folders()
    {
        var text = await RunAsync("write_file", new { path = "new/deeper/file.txt", content = "hello\nworld\n" });

        Assert.Equal("created new/deeper/file.txt (2 lines)", text);
        Assert.Equal("hello\nworld\n", _folder.Read("new/deeper/file.txt"));
    }

    [Fact]
    public async Task Edit_file_replaces_the_one_occurrence()
    {
        _folder.Write("a.txt", "one\ntwo\nthree\n");

        await RunAsync("edit_file", new { path = "a.txt", old_text = "two\n", new_text = "2\n" });

        Assert.Equal("one\n2\nthree\n", _folder.Read("a.txt"));
    }

    [Fact]
    public async Task Edit_file_without_a_match_is_an_error_and_changes_nothing()
    {
        _folder.Write("a.txt", "one\ntwo\n");

        var error = await Assert.ThrowsAsync<ToolException>(() => RunAsync("edit_file", new { path = "a.txt", old_text = "three", new_text = "3" }));

        Assert.StartsWith("old_text not found", error.Message, StringComparison.Ordinal);
        Assert.Equal("one\ntwo\n", _folder.Read("a.txt"));
    }

    [Fact]
    public async Task Edit_file_with_an_ambiguous_match_is_an_error_and_changes_nothing()
    {
        _folder.Write("a.txt", "x = 1;\ny = 2;\nx = 1;\n");

        var error = await Assert.ThrowsAsync<ToolException>(() => RunAsync("edit_file", new { path = "a.txt", old_text = "x = 1;", new_text = "x = 3;" }));

        Assert.StartsWith("old_text matches 2 times", error.Message, StringComparison.Ordinal);
        Assert.Contains("include more context", error.Message, StringComparison.Ordinal);
        Assert.Equal("x = 1;\ny = 2;\nx = 1;\n", _folder.Read("a.txt"));
    }

    [Fact]
    public async Task A_missing_required_argument_is_an_error()
    {
        var error = await Assert.ThrowsAsync<ToolException>(() => RunAsync("write_file", new { path = "a.txt" }));

        Assert.Contains("content", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_folder.Workspace, "a.txt")));
    }

    [Fact]
    public async Task Run_check_without_a_configured_command_says_so()
    {
        var text = await RunAsync("run_check", new { });

        Assert.StartsWith("no check command is configured", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Long_output_keeps_its_head_and_tail()
    {
        var text = TextLimits.HeadTail(new string('a', 100) + new string('b', 100), 20);

        Assert.Equal(new string('a', 10) + "\n[... 180 characters left out ...]\n" + new string('b', 10), text);
    }

    private Task<string> RunAsync(string tool, object arguments) =>
        _folder.Toolbox().Find(tool)!.RunAsync(Json(arguments), CancellationToken.None);

    private static JsonElement Json(object arguments) => CoderTestFolder.Json(arguments);
}
