using Agents.Coder.Tools;

namespace MultiAgent.IntegrationTests.Coder;

/// <summary>The model's run_check tool, running real checks (processes) in a folder of the test's own.</summary>
public sealed class CheckToolTests : IDisposable
{
    private readonly CoderTestFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Run_check_reports_the_exit_code_and_the_output()
    {
        _folder.Options.CheckCommand = "echo building; echo broken >&2; exit 3";

        var text = await RunAsync("run_check", new { });

        Assert.StartsWith("check exit code 3 (failed)", text, StringComparison.Ordinal);
        Assert.Contains("building", text, StringComparison.Ordinal);
        Assert.Contains("broken", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_base_branchs_check_file_is_run_not_the_workspace_copy_the_model_can_change()
    {
        _folder.Options.CheckCommand = "exit 9";
        _folder.Write(".multiagent/check", "echo weakened; exit 0\n");
        var toolbox = _folder.Toolbox(baseCheckFile: "echo from-the-base; exit 0\n");

        var text = await toolbox.Find("run_check")!.RunAsync(CoderTestFolder.Json(new { }), CancellationToken.None);

        Assert.Equal(CheckRunner.CheckFile + " (base branch)", toolbox.Check.Source);
        Assert.StartsWith("check exit code 0 (passed)", text, StringComparison.Ordinal);
        Assert.Contains("from-the-base", text, StringComparison.Ordinal);
        Assert.DoesNotContain("weakened", text, StringComparison.Ordinal);
    }

    private Task<string> RunAsync(string tool, object arguments) =>
        _folder.Toolbox().Find(tool)!.RunAsync(CoderTestFolder.Json(arguments), CancellationToken.None);
}
