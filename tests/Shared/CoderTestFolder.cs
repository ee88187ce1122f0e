using System.Collections.Concurrent;
using System.Text.Json;
using Agents.Coder;
using Agents.Coder.Sandbox;
using Agents.Coder.Tools;

namespace MultiAgent.Testing;

/// <summary>One check sandbox per mode for the whole test run (each probes the machine once).</summary>
internal static class TestSandboxes
{
    private static readonly ConcurrentDictionary<SandboxMode, CheckSandbox> Sandboxes = new();

    public static CheckSandbox Default => For(SandboxMode.Auto);

    public static CheckSandbox For(SandboxMode mode) => Sandboxes.GetOrAdd(mode, m => new CheckSandbox(m, new CheckSandboxOptions()));
}

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

    /// <summary>A tool call's arguments as the model would send them.</summary>
    public static JsonElement Json(object arguments) => JsonSerializer.SerializeToElement(arguments);

    public string Read(string relative) => File.ReadAllText(Path.Combine(Workspace, relative));

    /// <summary>The tools over the workspace; <paramref name="baseCheckFile"/> stands for the base branch's <c>.multiagent/check</c>.</summary>
    public CodingToolbox Toolbox(string? baseCheckFile = null, MultiAgent.Secrets.SecretRedactor? redactor = null) =>
        new(Workspace, baseCheckFile, Options, TestSandboxes.For(Options.Sandbox), redactor);

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
