using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MultiAgent.Persistence;
using MultiAgent.Repositories;
using MultiAgent.Repositories.Local;
using MultiAgent.Repositories.Workspaces;
using MultiAgent.IntegrationTests.Infrastructure;
using Npgsql;

namespace MultiAgent.IntegrationTests.Repositories.Local;

/// <summary>
/// The local-git host on the fixture's database (migrated first, like the persistence tests), and a workspace manager,
/// both working in a <see cref="GitSandbox"/> of the test's own (the host's only allowed root). Every test creates its own repository, so pull
/// request numbers start at 1 for each.
/// </summary>
public abstract class LocalHostTestBase(InfrastructureFixture infrastructure) : IAsyncLifetime
{
    private NpgsqlDataSource? _dataSource;

    protected InfrastructureFixture Infrastructure { get; } = infrastructure;

    protected GitSandbox Sandbox { get; } = new();

    protected LocalPullRequestStore Store { get; private set; } = null!;

    protected LocalGitHost Host { get; private set; } = null!;

    protected WorkspaceManager Workspaces { get; private set; } = null!;

    protected string ScratchRoot => Path.Combine(Sandbox.Root, "merges");

    protected NpgsqlDataSource DataSource => _dataSource ?? throw new InvalidOperationException("Not initialised.");

    public async Task InitializeAsync()
    {
        _dataSource = await Infrastructure.MigratedDatabaseAsync();
        Store = new LocalPullRequestStore(_dataSource);
        Host = new LocalGitHost(Sandbox.Git, Store, Options.Create(new LocalGitHostOptions { ScratchRoot = ScratchRoot, AllowedRoots = { Sandbox.Root } }));
        Workspaces = new WorkspaceManager(Sandbox.Git, Options.Create(new WorkspaceOptions { Root = Path.Combine(Sandbox.Root, "workspaces") }));
    }

    public virtual Task DisposeAsync()
    {
        Sandbox.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>A workspace on <paramref name="branch"/> with <paramref name="file"/> written, committed and pushed; returns the commit.</summary>
    protected async Task<string> PushFromWorkspaceAsync(RepositoryReference repository, string branch, string file, string content)
    {
        var source = await Host.GetCloneSourceAsync(repository);
        await using var workspace = await Workspaces.CreateAsync(repository, source, "main", branch);
        await File.WriteAllTextAsync(Path.Combine(workspace.Path, file), content);
        var sha = await workspace.CommitAllAsync($"Write {file}") ?? throw new InvalidOperationException("nothing committed");
        await workspace.PushAsync();
        await workspace.CompleteAsync(succeeded: true);
        return sha;
    }

    protected static PullRequestSpec Spec(string head, string title = "Add a file") => new(head, "main", title, "Body of " + title);

    protected static async Task<RepositoryHostException> FailsWith(RepositoryErrorKind kind, Func<Task> action)
    {
        var error = await Assert.ThrowsAsync<RepositoryHostException>(action);
        Assert.True(kind == error.Kind, $"expected {kind}, got {error.Kind}: {error.Message}");
        return error;
    }
}
