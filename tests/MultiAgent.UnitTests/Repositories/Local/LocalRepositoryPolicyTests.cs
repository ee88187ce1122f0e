using MultiAgent.Repositories;
using MultiAgent.Repositories.Local;

namespace MultiAgent.UnitTests.Repositories.Local;

/// <summary>
/// Which local repositories may be touched (<see cref="LocalRepositoryPolicy"/>): inside an allowed root by their real
/// path, links and <c>..</c> followed as the kernel follows them, on whole path components. Plain folders stand in for
/// repositories: the policy looks only at paths.
/// </summary>
public sealed class LocalRepositoryPolicyTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("multiagent-policy-").FullName;

    private string Root => Folder("repos");

    private string Outside => Folder("elsewhere");

    [Fact]
    public void A_repository_inside_an_allowed_root_is_allowed_by_its_real_path()
    {
        var repository = Folder("repos", "team", "demo.git");
        var policy = new LocalRepositoryPolicy([Root]);

        Assert.Equal(repository, policy.EnsureAllowed(repository));
        Assert.Equal(repository, policy.EnsureAllowed(repository + "/"));
        Assert.True(policy.Check(repository).IsAllowed);
    }

    [Fact]
    public void A_repository_outside_every_root_is_refused_naming_the_setting_and_the_roots()
    {
        var repository = Folder("elsewhere", "x.git");
        var policy = new LocalRepositoryPolicy([Root]);

        var error = Refused(policy, repository);

        Assert.Equal($"{repository} is not under an allowed local repository root (MultiAgent:LocalGit:AllowedRoots: {Root})", error.Message);
        Assert.False(error.IsRetryable);
    }

    [Fact]
    public void Dot_dot_that_climbs_out_of_the_root_is_refused()
    {
        var outside = Folder("elsewhere", "x.git");
        var policy = new LocalRepositoryPolicy([Root]);
        var climbing = Path.Combine(Root, "..", "elsewhere", "x.git");

        var error = Refused(policy, climbing);
        var parsed = Refused(policy, RepositoryReference.Parse(climbing).LocalPath!);

        Assert.Contains($"(which leads to {outside}) is not under an allowed local repository root", error.Message, StringComparison.Ordinal);
        Assert.StartsWith($"{outside} is not under", parsed.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_symbolic_link_inside_the_root_that_leads_outside_is_refused()
    {
        var outside = Folder("elsewhere", "x.git");
        var policy = new LocalRepositoryPolicy([Root]);
        var linkedRepository = Link(Path.Combine(Root, "x.git"), outside);
        var linkedFolder = Link(Path.Combine(Root, "team"), Folder("elsewhere", "team"));
        Folder("elsewhere", "team", "y.git");
        var relativeLink = Path.Combine(Root, "relative.git");
        File.CreateSymbolicLink(relativeLink, Path.Combine("..", "elsewhere", "x.git"));

        var error = Refused(policy, linkedRepository);

        Assert.Equal(
            $"{linkedRepository} (which leads to {outside}) is not under an allowed local repository root (MultiAgent:LocalGit:AllowedRoots: {Root})",
            error.Message);
        Refused(policy, Path.Combine(linkedFolder, "y.git"));
        Refused(policy, relativeLink);
    }

    [Fact]
    public void Dot_dot_after_a_symbolic_link_climbs_from_where_the_link_leads_as_the_kernel_does()
    {
        // Read as text, root/link/../x.git is root/x.git, which is inside; git would open elsewhere/x.git.
        Folder("repos", "x.git");
        var outside = Folder("elsewhere", "x.git");
        var link = Link(Path.Combine(Root, "link"), Folder("elsewhere", "deeper"));
        var policy = new LocalRepositoryPolicy([Root]);

        var error = Refused(policy, $"{link}/../x.git");

        Assert.Contains($"(which leads to {outside})", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_symbolic_link_that_stays_inside_the_roots_is_allowed_and_resolved()
    {
        var repository = Folder("repos", "real", "demo.git");
        var link = Link(Path.Combine(Root, "alias.git"), repository);
        var policy = new LocalRepositoryPolicy([Root]);

        Assert.Equal(repository, policy.EnsureAllowed(link));
    }

    [Fact]
    public void A_folder_whose_name_merely_starts_like_the_root_is_outside_it()
    {
        var sibling = Folder("repos-evil", "x.git");
        var policy = new LocalRepositoryPolicy([Root]);

        Refused(policy, sibling);
        Assert.False(LocalRepositoryPolicy.IsInside(sibling, Root));
        Assert.True(LocalRepositoryPolicy.IsInside(Root, Root));
        Assert.True(LocalRepositoryPolicy.IsInside("/srv/repos/a.git", "/srv/repos/"));
        Assert.True(LocalRepositoryPolicy.IsInside("/srv/repos/a.git", "/"));
    }

    [Fact]
    public void A_missing_path_inside_a_root_is_not_found_and_one_outside_is_refused_without_saying_whether_it_exists()
    {
        var policy = new LocalRepositoryPolicy([Root]);
        var missingInside = Path.Combine(Root, "no-such.git");
        var missingOutside = Path.Combine(Outside, "no-such.git");

        var notFound = Assert.Throws<RepositoryHostException>(() => policy.EnsureAllowed(missingInside));
        var refused = Refused(policy, missingOutside);

        Assert.Equal(RepositoryErrorKind.NotFound, notFound.Kind);
        Assert.Equal($"There is no repository at '{missingInside}': the folder does not exist.", notFound.Message);
        Assert.StartsWith($"{missingOutside} is not under an allowed local repository root", refused.Message, StringComparison.Ordinal);
        Assert.Equal((missingInside, false, true), (policy.Check(missingInside).RealPath, policy.Check(missingInside).Exists, policy.Check(missingInside).InsideRoot));
    }

    [Fact]
    public void Any_of_several_roots_allows_and_the_refusal_lists_them_all()
    {
        var second = Folder("more");
        var repository = Folder("more", "b.git");
        var policy = new LocalRepositoryPolicy([Root, second + "/", "  "]);

        var error = Refused(policy, Folder("elsewhere", "x.git"));

        Assert.Equal(repository, policy.EnsureAllowed(repository));
        Assert.Equal(Folder("repos", "a.git"), policy.EnsureAllowed(Folder("repos", "a.git")));
        Assert.Equal([Root, second], policy.Roots);
        Assert.EndsWith($"(MultiAgent:LocalGit:AllowedRoots: {Root}, {second})", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_root_may_be_a_symbolic_link_or_one_repository_itself()
    {
        var real = Folder("storage", "repos");
        var repository = Folder("storage", "repos", "demo.git");
        var linkedRoot = Link(Path.Combine(_folder, "linked-root"), real);
        var single = Folder("single.git");

        Assert.Equal(repository, new LocalRepositoryPolicy([linkedRoot]).EnsureAllowed(repository));
        Assert.Equal(repository, new LocalRepositoryPolicy([linkedRoot]).EnsureAllowed(Path.Combine(linkedRoot, "demo.git")));
        Assert.Equal(single, new LocalRepositoryPolicy([single]).EnsureAllowed(single));
        Refused(new LocalRepositoryPolicy([single]), Folder("single.git-2"));
    }

    [Fact]
    public void Without_roots_no_local_repository_is_allowed()
    {
        var policy = new LocalRepositoryPolicy([]);

        var error = Refused(policy, Folder("repos", "a.git"));

        Assert.EndsWith("(MultiAgent:LocalGit:AllowedRoots is empty: no local repository is allowed)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_loop_of_symbolic_links_is_refused()
    {
        var first = Path.Combine(Root, "loop-a");
        var second = Path.Combine(Root, "loop-b");
        File.CreateSymbolicLink(first, second);
        File.CreateSymbolicLink(second, first);
        var policy = new LocalRepositoryPolicy([Root]);

        var error = Assert.Throws<RepositoryHostException>(() => policy.EnsureAllowed(first));

        Assert.Contains(error.Kind, new[] { RepositoryErrorKind.NotFound, RepositoryErrorKind.NotAllowed });
    }

    [Fact]
    public void Relative_allowed_roots_are_a_configuration_error()
    {
        var options = new LocalGitHostOptions { AllowedRoots = { "/srv/repos", "repos" } };

        var result = new LocalGitHostOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains("MultiAgent:LocalGit:AllowedRoots must list absolute paths; not: 'repos'", result.FailureMessage, StringComparison.Ordinal);
        Assert.True(new LocalGitHostOptionsValidator().Validate(null, new LocalGitHostOptions { AllowedRoots = { "/srv/repos" } }).Succeeded);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static RepositoryHostException Refused(LocalRepositoryPolicy policy, string path)
    {
        var error = Assert.Throws<RepositoryHostException>(() => policy.EnsureAllowed(path));
        Assert.True(error.Kind == RepositoryErrorKind.NotAllowed, $"expected NotAllowed, got {error.Kind}: {error.Message}");
        Assert.False(policy.Check(path).InsideRoot);
        return error;
    }

    /// <summary>A folder below the test's own (created, with its parents).</summary>
    private string Folder(params string[] parts) => Directory.CreateDirectory(Path.Combine([_folder, .. parts])).FullName;

    private static string Link(string path, string target)
    {
        Directory.CreateSymbolicLink(path, target);
        return path;
    }
}
