using Agents.Coder;
using Agents.Coder.Tools;

namespace MultiAgent.Tests.Coder;

/// <summary>A temporary folder standing in for a workspace (and one beside it, "outside"), deleted on dispose.</summary>
internal sealed class CoderTestFolder : IDisposable
{
    public CoderTestFolder()
    {
        Directory.CreateDirectory(Workspace);
        Directory.CreateDirectory(Outside);
    }

    public string Root { get; } = Path.Combine(Path.GetTempPath(), "multiagent-tests", "coder-" + Guid.NewGuid().ToString("N"));

    public string Workspace => Path.Combine(Root, "repo");

    public string Outside => Path.Combine(Root, "outside");

    public CoderOptions Options { get; } = new();

    public string Write(string relative, string content)
    {
        var path = Path.Combine(Workspace, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        return path;
    }

    public string Read(string relative) => File.ReadAllText(Path.Combine(Workspace, relative));

    public CodingToolbox Toolbox() => new(Workspace, Options);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Left under the temp folder.
        }
    }
}
