using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MultiAgent.AgentRuntime.Tasks;
using MultiAgent.Contracts;
using MultiAgent.Repositories;
using MultiAgent.Repositories.Local;
using Npgsql;

namespace MultiAgent.IntegrationTests.Repositories.Local;

/// <summary>
/// The local-git host serves repositories under its allowed roots only: every operation on a real repository elsewhere
/// (or reached through a link that leads elsewhere) is refused before git or the pull-request store is asked. The store
/// here points at a closed port, so an operation that got as far as the database would fail differently.
/// </summary>
public sealed class LocalHostAllowedRootsTests : IAsyncLifetime
{
    private readonly GitSandbox _allowed = new();
    private readonly GitSandbox _outside = new(Path.Combine(Path.GetTempPath(), "multiagent-tests", "repos-outside"));
    private NpgsqlDataSource _database = null!;
    private LocalGitHost _host = null!;

    public Task InitializeAsync()
    {
        _database = NpgsqlDataSource.Create("Host=127.0.0.1;Port=1;Database=none;Timeout=1");
        _host = new LocalGitHost(_allowed.Git, new LocalPullRequestStore(_database), Options.Create(new LocalGitHostOptions
        {
            ScratchRoot = Path.Combine(_allowed.Root, "merges"),
            AllowedRoots = { _allowed.Root },
        }));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _database.DisposeAsync();
        _allowed.Dispose();
        _outside.Dispose();
    }

    [Fact]
    public async Task Every_operation_on_a_repository_outside_the_allowed_roots_is_refused_and_touches_nothing()
    {
        var repository = await _outside.CreateRepositoryAsync("elsewhere");
        var refsBefore = await _outside.RunAsync(repository.LocalPath!, "for-each-ref");
        var expected = $"{repository.LocalPath} is not under an allowed local repository root (MultiAgent:LocalGit:AllowedRoots: {_allowed.Root})";

        foreach (var (name, operation) in Operations(repository))
        {
            var error = await Assert.ThrowsAsync<RepositoryHostException>(operation);
            Assert.True(error.Kind == RepositoryErrorKind.NotAllowed, $"{name}: {error.Kind}: {error.Message}");
            Assert.Equal(expected, error.Message);
            Assert.False(error.IsRetryable, name);
            Assert.Equal(FailureKind.NonRetryable, FailureClassifier.Classify(error));
        }

        Assert.Equal(refsBefore, await _outside.RunAsync(repository.LocalPath!, "for-each-ref"));
        Assert.False(Directory.Exists(Path.Combine(_allowed.Root, "merges")), "a merge was prepared");
    }

    [Fact]
    public async Task A_link_inside_the_allowed_root_to_a_repository_outside_is_refused_and_one_to_a_repository_inside_is_served()
    {
        var outside = await _outside.CreateRepositoryAsync("elsewhere");
        var inside = await _allowed.CreateRepositoryAsync("demo");
        var toOutside = Path.Combine(_allowed.Root, "repos", "link-out.git");
        var toInside = Path.Combine(_allowed.Root, "repos", "link-in.git");
        Directory.CreateSymbolicLink(toOutside, outside.LocalPath!);
        Directory.CreateSymbolicLink(toInside, inside.LocalPath!);

        var refused = await Assert.ThrowsAsync<RepositoryHostException>(() => _host.GetCloneSourceAsync(RepositoryReference.Parse(toOutside)));
        var info = await _host.GetRepositoryAsync(RepositoryReference.Parse(toInside));
        var source = await _host.GetCloneSourceAsync(RepositoryReference.Parse(toInside));

        Assert.Equal(RepositoryErrorKind.NotAllowed, refused.Kind);
        Assert.StartsWith($"{toOutside} (which leads to {outside.LocalPath}) is not under an allowed local repository root", refused.Message, StringComparison.Ordinal);
        Assert.Equal("main", info.DefaultBranch);
        // Git is pointed at the folder that was checked, not at the link.
        Assert.Equal(inside.LocalPath, source.Url);
    }

    [Fact]
    public async Task A_repository_under_the_allowed_root_is_served_and_a_missing_one_is_not_found()
    {
        var repository = await _allowed.CreateRepositoryAsync("demo");
        var missing = RepositoryReference.Parse(Path.Combine(_allowed.Root, "repos", "missing.git"));

        var info = await _host.GetRepositoryAsync(repository);
        var error = await Assert.ThrowsAsync<RepositoryHostException>(() => _host.GetRepositoryAsync(missing));

        Assert.Equal(("main", repository.LocalPath), (info.DefaultBranch, info.CloneUrl));
        Assert.Equal(RepositoryErrorKind.NotFound, error.Kind);
        Assert.Equal($"There is no repository at '{missing.LocalPath}': the folder does not exist.", error.Message);
    }

    [Fact]
    public void The_allowed_roots_are_bound_from_configuration_and_relative_ones_stop_the_start()
    {
        static IServiceProvider Build(params string[] roots)
        {
            var settings = roots.Select((root, i) => new KeyValuePair<string, string?>($"MultiAgent:LocalGit:AllowedRoots:{i}", root));
            var services = new ServiceCollection();
            services.AddLogging();
            services.AddSingleton(_ => NpgsqlDataSource.Create("Host=127.0.0.1;Port=1;Database=none"));
            services.AddLocalGitHost(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
            return services.BuildServiceProvider();
        }

        var host = Build("/srv/repos", "/var/lib/multiagent/repos").GetRequiredService<LocalGitHost>();
        var none = Build().GetRequiredService<LocalGitHost>();
        var relative = Assert.Throws<OptionsValidationException>(() => Build("repos").GetRequiredService<LocalGitHost>());

        Assert.Equal(["/srv/repos", "/var/lib/multiagent/repos"], host.Policy.Roots);
        Assert.Empty(none.Policy.Roots);
        Assert.Contains("MultiAgent:LocalGit:AllowedRoots must list absolute paths", relative.Message, StringComparison.Ordinal);
    }

    private IEnumerable<(string Name, Func<Task> Operation)> Operations(RepositoryReference repository)
    {
        const string Sha = "0123456789012345678901234567890123456789";
        yield return ("get repository", () => _host.GetRepositoryAsync(repository));
        yield return ("clone source", () => _host.GetCloneSourceAsync(repository));
        yield return ("create pull request", () => _host.CreateOrUpdatePullRequestAsync(repository, new PullRequestSpec("agent/x", "main", "Title", "Body")));
        yield return ("get pull request", () => _host.GetPullRequestAsync(repository, 1));
        yield return ("diff", () => _host.GetDiffAsync(repository, 1));
        yield return ("post review", () => _host.PostReviewAsync(repository, 1, new ReviewSubmission(ReviewDecision.Approve, "ok", [], Sha)));
        yield return ("list reviews", () => _host.ListReviewsAsync(repository, 1));
        yield return ("merge", () => _host.MergeAsync(repository, 1, Sha, MergeMethod.Merge));
        yield return ("close", () => _host.ClosePullRequestAsync(repository, 1));
        yield return ("comment", () => _host.CommentAsync(repository, 1, "hello"));
    }
}
