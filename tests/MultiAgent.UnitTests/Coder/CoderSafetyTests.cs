using Agents.Coder.Safety;
using Agents.Coder.Tools;

namespace MultiAgent.UnitTests.Coder;

/// <summary>Paths the model gives the tools stay inside the workspace, links included.</summary>
public sealed class CoderSafetyTests : IDisposable
{
    private readonly CoderTestFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Theory]
    [InlineData("../x")]
    [InlineData("src/../../x")]
    [InlineData("/etc/passwd")]
    [InlineData("~/secrets")]
    [InlineData(".git/config")]
    public async Task Paths_outside_the_workspace_are_refused(string path)
    {
        var toolbox = _folder.Toolbox();

        await Assert.ThrowsAsync<PathRefusedException>(() => toolbox.Find("read_file")!.RunAsync(CoderTestFolder.Json(new { path }), CancellationToken.None));
        await Assert.ThrowsAsync<PathRefusedException>(() => toolbox.Find("write_file")!.RunAsync(CoderTestFolder.Json(new { path, content = "x" }), CancellationToken.None));
        Assert.False(File.Exists(Path.Combine(_folder.Root, "x")));
    }

    [Fact]
    public async Task A_symlink_to_a_file_outside_is_refused_for_reading_and_writing()
    {
        var secret = Path.Combine(_folder.Outside, "secret.txt");
        await File.WriteAllTextAsync(secret, "top secret\n");
        File.CreateSymbolicLink(Path.Combine(_folder.Workspace, "link.txt"), secret);
        var toolbox = _folder.Toolbox();

        var read = await Assert.ThrowsAsync<PathRefusedException>(() => toolbox.Find("read_file")!.RunAsync(CoderTestFolder.Json(new { path = "link.txt" }), CancellationToken.None));
        await Assert.ThrowsAsync<PathRefusedException>(() => toolbox.Find("write_file")!.RunAsync(CoderTestFolder.Json(new { path = "link.txt", content = "changed" }), CancellationToken.None));

        Assert.Contains("symbolic link", read.Message, StringComparison.Ordinal);
        Assert.Equal("top secret\n", await File.ReadAllTextAsync(secret));
    }

    [Fact]
    public async Task A_symlinked_folder_that_leads_outside_is_refused_even_for_new_files()
    {
        Directory.CreateSymbolicLink(Path.Combine(_folder.Workspace, "out"), _folder.Outside);
        var toolbox = _folder.Toolbox();

        await Assert.ThrowsAsync<PathRefusedException>(() => toolbox.Find("write_file")!.RunAsync(CoderTestFolder.Json(new { path = "out/new/planted.txt", content = "x" }), CancellationToken.None));
        await Assert.ThrowsAsync<PathRefusedException>(() => toolbox.Find("list_files")!.RunAsync(CoderTestFolder.Json(new { path = "out" }), CancellationToken.None));

        Assert.False(Directory.Exists(Path.Combine(_folder.Outside, "new")));
    }

    [Fact]
    public async Task A_dangling_symlink_to_outside_is_refused_so_nothing_is_created_there()
    {
        var target = Path.Combine(_folder.Outside, "planted.txt");
        File.CreateSymbolicLink(Path.Combine(_folder.Workspace, "dangling.txt"), target);
        var toolbox = _folder.Toolbox();

        await Assert.ThrowsAsync<PathRefusedException>(() => toolbox.Find("write_file")!.RunAsync(CoderTestFolder.Json(new { path = "dangling.txt", content = "x" }), CancellationToken.None));

        Assert.False(File.Exists(target));
    }

    [Fact]
    public void A_symlink_that_stays_inside_is_allowed()
    {
        _folder.Write("docs/real.md", "inside");
        File.CreateSymbolicLink(Path.Combine(_folder.Workspace, "alias.md"), Path.Combine(_folder.Workspace, "docs", "real.md"));
        var paths = new WorkspacePaths(_folder.Workspace);

        Assert.Equal(Path.Combine(paths.Root, "alias.md"), paths.Resolve("alias.md"));
        Assert.Equal(Path.Combine(paths.Root, "docs", "new.md"), paths.Resolve("docs/new.md"));
    }
}
