using Microsoft.Extensions.Options;
using MultiAgent.Repositories;
using MultiAgent.Repositories.Workspaces;

namespace MultiAgent.IntegrationTests.Repositories.Local;

/// <summary>Workspaces against bare repositories in a sandbox; no database involved.</summary>
public abstract class WorkspaceTestBase : IDisposable
{
    protected GitSandbox Sandbox { get; } = new();

    protected string Root => Path.Combine(Sandbox.Root, "workspaces");

    public void Dispose() => Sandbox.Dispose();

    protected WorkspaceManager Manager(bool keepOnFailure = false, long maxTotalBytes = 5L * 1024 * 1024 * 1024) =>
        new(Sandbox.Git, Options.Create(new WorkspaceOptions { Root = Root, KeepOnFailure = keepOnFailure, MaxTotalBytes = maxTotalBytes }));

    protected static CloneSource SourceOf(RepositoryReference repository) => CloneSource.Anonymous(repository.LocalPath!);

    /// <summary>The workspace folders under the root (each holds a clone in <c>repo</c>).</summary>
    protected string[] Slots() =>
        Directory.Exists(Root) ? [.. Directory.GetDirectories(Root).Order(StringComparer.Ordinal)] : [];

    protected static async Task<RepositoryHostException> FailsWith(RepositoryErrorKind kind, Func<Task> action)
    {
        var error = await Assert.ThrowsAsync<RepositoryHostException>(action);
        Assert.True(kind == error.Kind, $"expected {kind}, got {error.Kind}: {error.Message}");
        return error;
    }
}
