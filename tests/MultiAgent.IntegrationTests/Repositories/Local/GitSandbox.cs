using System.Collections.Concurrent;
using System.Text;
using MultiAgent.Repositories;
using MultiAgent.Repositories.Git;

namespace MultiAgent.IntegrationTests.Repositories.Local;

/// <summary>
/// A temp folder of a test's own with real git repositories in it: bare repositories seeded with a first commit, and
/// scratch clones to change them as a person would. Deleted on dispose. By default it lies under <see cref="Parent"/>,
/// the folder the test topology allows local repositories from (<c>MultiAgent:LocalGit:AllowedRoots</c>).
/// </summary>
public sealed class GitSandbox : IDisposable
{
    public static readonly GitIdentity Person = new("Test Person", "person@example.test");

    /// <param name="parent">The folder to make the sandbox in; <see cref="Parent"/> when null.</param>
    public GitSandbox(string? parent = null)
    {
        Root = Path.Combine(parent ?? Parent, "git-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
    }

    /// <summary>Where sandboxes are made by default: the test topology's allowed local repository root.</summary>
    public static string Parent { get; } = Path.Combine(Path.GetTempPath(), "multiagent-tests", "repos");

    public string Root { get; }

    public GitCli Git { get; } = new();

    /// <summary>
    /// A bare repository <c>name.git</c> whose <paramref name="defaultBranch"/> holds one commit with README.md: a copy
    /// of a repository made once per test run and default branch (the suite makes about 150 of them; git init and the
    /// first commit cost three git processes each).
    /// </summary>
    public async Task<RepositoryReference> CreateRepositoryAsync(string name = "demo", string defaultBranch = "main")
    {
        var path = Path.Combine(Root, "repos", name + ".git");
        var template = await Templates.GetOrAdd(defaultBranch, branch => new Lazy<Task<string>>(() => CreateTemplateAsync(branch))).Value;
        CopyFolder(template, path);
        return RepositoryReference.Parse(path);
    }

    /// <summary>The first-commit repository of each default branch, made once per test run; removed when the run ends.</summary>
    private static readonly ConcurrentDictionary<string, Lazy<Task<string>>> Templates = new();

    private static async Task<string> CreateTemplateAsync(string defaultBranch)
    {
        var sandbox = new GitSandbox(Path.Combine(Path.GetTempPath(), "multiagent-tests", "templates"));
        AppDomain.CurrentDomain.ProcessExit += (_, _) => sandbox.Dispose();
        var path = Path.Combine(sandbox.Root, "template.git");
        Directory.CreateDirectory(path);
        await sandbox.RunAsync(path, "init", "--quiet", "--bare", "--initial-branch=" + defaultBranch);
        await sandbox.CommitAsync(path, defaultBranch, "README.md", "# demo\n\nfirst line\n", "First commit", fromBranch: null);
        return path;
    }

    private static void CopyFolder(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var folder in Directory.EnumerateDirectories(from, "*", SearchOption.AllDirectories))
        {
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, folder)));
        }

        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            File.Copy(file, Path.Combine(to, Path.GetRelativePath(from, file)));
        }
    }

    /// <summary>
    /// Writes <paramref name="file"/> on <paramref name="branch"/> (created from <paramref name="fromBranch"/>, or as a
    /// first commit when that is null, if it does not exist yet) as one new commit by <see cref="Person"/>; returns it.
    /// One <c>git fast-import</c> in the repository does it: a scratch clone, checkout, add, commit and push cost ten
    /// processes, and the tests make hundreds of commits.
    /// </summary>
    public async Task<string> CommitAsync(string repository, string branch, string file, string content, string message, string? fromBranch = "main")
    {
        var parent = await TipAsync(repository, branch) is not null ? branch : fromBranch;
        var stream = new StringBuilder()
            .Append($"commit refs/heads/{branch}\n")
            .Append("mark :1\n")
            .Append($"committer {Person.Name} <{Person.Email}> {DateTimeOffset.UtcNow.ToUnixTimeSeconds()} +0000\n");
        AppendData(stream, message.EndsWith('\n') ? message : message + "\n");
        if (parent is not null)
        {
            stream.Append($"from refs/heads/{parent}^0\n");
        }

        stream.Append($"M 100644 inline {file}\n");
        AppendData(stream, content);
        var marks = Path.Combine(Root, "marks-" + Guid.NewGuid().ToString("N"));
        await Git.RunAsync(repository, ["fast-import", "--quiet", "--export-marks=" + marks], new GitRunOptions { StandardInput = stream.ToString() });
        var commit = (await File.ReadAllTextAsync(marks)).Split(' ', 2)[1].Trim();
        File.Delete(marks);
        return commit;
    }

    // fast-import's "data <bytes>" followed by exactly those bytes.
    private static void AppendData(StringBuilder stream, string text) =>
        stream.Append($"data {Encoding.UTF8.GetByteCount(text)}\n").Append(text).Append('\n');

    /// <summary>Tip of <paramref name="branch"/> in the bare repository, or null.</summary>
    public Task<string?> BranchShaAsync(RepositoryReference repository, string branch) => TipAsync(repository.LocalPath!, branch);

    private async Task<string?> TipAsync(string repository, string branch)
    {
        var result = await Git.RunAsync(
            repository, ["rev-parse", "--verify", "--quiet", "refs/heads/" + branch], new GitRunOptions { ThrowOnFailure = false });
        return result.Succeeded ? result.Output.Trim() : null;
    }

    /// <summary><c>git show &lt;revision&gt;:&lt;path&gt;</c> in the bare repository.</summary>
    public Task<string> ShowAsync(RepositoryReference repository, string revision, string path) =>
        RunAsync(repository.LocalPath!, "show", $"{revision}:{path}");

    /// <summary>Runs git as <see cref="Person"/>; the trimmed output.</summary>
    public async Task<string> RunAsync(string directory, params string[] arguments) =>
        (await Git.RunAsync(directory, arguments, new GitRunOptions { Identity = Person })).Output.Trim();

    public void Dispose()
    {
        try
        {
            if (Directory.Exists(Root))
            {
                Directory.Delete(Root, recursive: true);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Left under the temp folder.
        }
    }
}
