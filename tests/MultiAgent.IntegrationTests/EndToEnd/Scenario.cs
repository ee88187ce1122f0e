using MultiAgent.Contracts;
using MultiAgent.IntegrationTests.Fakes.GitHub;
using MultiAgent.IntegrationTests.Fakes.OpenAI;
using MultiAgent.IntegrationTests.Infrastructure;
using MultiAgent.IntegrationTests.Repositories.Local;

namespace MultiAgent.IntegrationTests.EndToEnd;

/// <summary>Where a scenario's repository is hosted.</summary>
public enum ScenarioHost
{
    /// <summary>The local-git host: the bare repository's path is the repository; pull requests in PostgreSQL.</summary>
    Local,

    /// <summary>The GitHub fake: <c>https://github.com/e2e/&lt;marker&gt;</c>, cloned from and merged into the same bare repository.</summary>
    GitHub,
}

/// <summary>
/// One end-to-end scenario on the shared topology, isolated by its <see cref="Marker"/> (<c>e2e-&lt;8 hex&gt;</c>): a
/// bare repository of its own (main holds README.md), the model's scripts for its Coder and Reviewer (a model request
/// is routed here when it contains the marker: put it in the feature's title, and have the scripted Coder write
/// <see cref="FileName"/>, so the Reviewer's diff holds it too), and, for <see cref="ScenarioHost.GitHub"/>, its
/// repository on the GitHub fake with fault injection.
/// </summary>
public sealed class Scenario : IAsyncDisposable
{
    public const string GitHubOwner = "e2e";

    private readonly SystemFixture _system;
    private readonly GitSandbox _git;
    private readonly List<string> _features = [];

    private Scenario(SystemFixture system, GitSandbox git, string marker, string gitDirectory, ScenarioHost host)
    {
        _system = system;
        _git = git;
        Marker = marker;
        GitDirectory = gitDirectory;
        Host = host;
        Llm = system.Llm.Add(marker);
        if (host == ScenarioHost.GitHub)
        {
            GitHubRepository = system.GitHub.AddRepository(GitHubOwner, marker, gitDirectory: gitDirectory);
            Repository = $"https://github.com/{GitHubOwner}/{marker}";
        }
        else
        {
            Repository = gitDirectory;
        }
    }

    public string Marker { get; }

    public ScenarioHost Host { get; }

    /// <summary>The repository as a job names it: the bare repository's path, or its GitHub URL.</summary>
    public string Repository { get; }

    /// <summary>The bare repository (for either host).</summary>
    public string GitDirectory { get; }

    /// <summary>The model's replies to this scenario's Coder and Reviewer, and what they asked.</summary>
    public LlmScenario Llm { get; }

    public ReplyScript Coder => Llm.Coder;

    public ReplyScript Reviewer => Llm.Reviewer;

    /// <summary>The repository on the GitHub fake (pull requests, reviews, merges), or null for a local one.</summary>
    public FakeRepository? GitHubRepository { get; }

    /// <summary>A file name holding the marker, for the scripted Coder to write.</summary>
    public string FileName => Marker + ".txt";

    /// <param name="repositoryParent">
    /// Where to make the bare repository; by default under the topology's allowed local repository root
    /// (<see cref="AppHostFixture.LocalRepositoryRoot"/>).
    /// </param>
    public static async Task<Scenario> StartAsync(SystemFixture system, ScenarioHost host = ScenarioHost.Local, string? repositoryParent = null)
    {
        var marker = "e2e-" + Guid.NewGuid().ToString("N")[..8];
        var git = new GitSandbox(repositoryParent);
        var repository = await git.CreateRepositoryAsync(marker);
        return new Scenario(system, git, marker, repository.LocalPath!, host);
    }

    /// <summary>A new job id (<c>job-&lt;12 hex&gt;</c>, the CLI's shape).</summary>
    public static string NewJobId() => "job-" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>A feature request for this scenario's repository, the marker in its title and description.</summary>
    public FeatureRequest Feature(string title, string? jobId = null, int maxIterations = 3, bool requireApproval = false) => new(
        jobId ?? NewJobId(), Repository, $"{title} [{Marker}]", DateTimeOffset.UtcNow, $"Scenario {Marker}: {title}.",
        [$"{FileName} exists"], MaxIterations: maxIterations, RequireApproval: requireApproval);

    /// <summary>What the Repo Manager would send the Coder for <paramref name="feature"/>.</summary>
    public static ImplementationRequest Implementation(FeatureRequest feature, string taskId, int iteration = 1) => new(
        feature.JobId, taskId, feature.Repository, feature.BaseBranch ?? "main", feature.Title, iteration, feature.Description, feature.Requirements);

    /// <summary>What the Repo Manager would send the Reviewer for the Coder's <paramref name="result"/>.</summary>
    public ReviewRequest Review(ImplementationResult result, string jobId, string taskId) => new(
        jobId, taskId, Repository, result.PullRequestNumber ?? throw new ArgumentException("no pull request", nameof(result)),
        result.PullRequestUrl, result.HeadSha, result.Iteration, result.Check);

    /// <summary>Commits <paramref name="path"/> with <paramref name="content"/> to the default branch (before a job starts).</summary>
    public Task<string> CommitToMainAsync(string path, string content) =>
        _git.CommitAsync(GitDirectory, "main", path, content, $"Add {path}");

    /// <summary>The commits on <paramref name="branch"/> of the bare repository, newest first, as "sha subject"; empty when there is no such branch.</summary>
    public async Task<IReadOnlyList<string>> CommitsAsync(string branch) =>
        await BranchShaAsync(branch) is null
            ? []
            : (await _git.RunAsync(GitDirectory, "log", "--format=%H %s", "refs/heads/" + branch)).Split('\n');

    /// <summary>Every commit of every branch of the bare repository with its changes (<c>git log -p --all</c>).</summary>
    public Task<string> HistoryAsync() => _git.RunAsync(GitDirectory, "log", "-p", "--all", "--format=%H %an %s%n%b");

    /// <summary>The head of <paramref name="branch"/> in the bare repository, or null.</summary>
    public Task<string?> BranchShaAsync(string branch) =>
        _git.BranchShaAsync(MultiAgent.Repositories.RepositoryReference.Parse(GitDirectory), branch);

    /// <summary>Every ref of the bare repository as "refname sha", sorted.</summary>
    public async Task<IReadOnlyList<string>> RefsAsync() =>
        (await _git.RunAsync(GitDirectory, "for-each-ref", "--format=%(refname) %(objectname)")).Split('\n', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>A file's content at a revision (branch or commit) of the bare repository.</summary>
    public Task<string> ShowAsync(string revision, string path) => _git.RunAsync(GitDirectory, "show", $"{revision}:{path}");

    /// <summary>
    /// The next <paramref name="times"/> calls to <paramref name="method"/> <paramref name="route"/> of this scenario's
    /// GitHub repository (below <c>/repos/e2e/&lt;marker&gt;</c>, e.g. "" for the repository, "/pulls",
    /// "/pulls/1/merge") answer with <paramref name="fault"/> (e.g. <see cref="FakeFault.ServerError"/>,
    /// <c>FakeFault.Error(401, "Bad credentials")</c>).
    /// </summary>
    public void FailGitHub(string method, string route, FakeFault fault, int times = 1)
    {
        var repository = GitHubRepository ?? throw new InvalidOperationException($"Scenario {Marker} is not on GitHub.");
        _system.GitHub.Enqueue(method, $"/repos/{repository.Owner}/{repository.Name}{route}", fault, times);
    }

    /// <summary>The GitHub fake's requests for this scenario's repository.</summary>
    public IReadOnlyList<Fakes.GitHub.RecordedRequest> GitHubRequests =>
        _system.GitHub.Requests.Where(r => r.RelativePath.StartsWith($"/repos/{GitHubOwner}/{Marker}", StringComparison.Ordinal)).ToList();

    /// <summary>What the model was asked and what is left, for failure messages.</summary>
    public string Describe() => Llm.Describe();

    /// <summary>Whether <paramref name="ancestor"/> is <paramref name="revision"/> or one of its ancestors.</summary>
    public async Task<bool> IsAncestorAsync(string ancestor, string revision) =>
        (await _git.RunAsync(GitDirectory, "rev-list", revision)).Split('\n').Contains(ancestor);

    /// <summary>The commit at <paramref name="revision"/> followed by its parents (a merge commit has two).</summary>
    public async Task<IReadOnlyList<string>> CommitAndParentsAsync(string revision) =>
        (await _git.RunAsync(GitDirectory, "rev-list", "--parents", "-n", "1", revision)).Split(' ');

    /// <summary>
    /// The model's replies for one feature of this scenario's project: a marker of its own (<c>&lt;marker&gt;-&lt;key&gt;</c>,
    /// which holds the scenario's, so a request about the feature goes there although it names the repository too).
    /// Put the marker in the feature's title, and have its Coder write <see cref="FeatureFile"/>.
    /// </summary>
    public LlmScenario FeatureModel(string key)
    {
        var marker = $"{Marker}-{key}";
        _features.Add(marker);
        return _system.Llm.Add(marker);
    }

    /// <summary>A file name holding a feature's marker, for its scripted Coder to write.</summary>
    public string FeatureFile(string key) => $"{Marker}-{key}.txt";

    public ValueTask DisposeAsync()
    {
        foreach (var feature in _features)
        {
            _system.Llm.Remove(feature);
        }

        _system.Llm.Remove(Marker);
        _git.Dispose();
        return ValueTask.CompletedTask;
    }
}
