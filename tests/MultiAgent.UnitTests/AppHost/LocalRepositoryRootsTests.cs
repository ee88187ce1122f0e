using System.Text.Json;
using Microsoft.Extensions.Configuration;
using MultiAgent.Hosting.Local;
using MultiAgent.Hosting.Nats;

namespace MultiAgent.UnitTests.AppHost;

/// <summary>
/// The allowed local repository roots as the AppHost settles them (and hands them to the agents and the CLI files): the
/// configured <c>MultiAgent:LocalGit:AllowedRoots</c>, else the data folder's <c>repos/</c>.
/// </summary>
public sealed class LocalRepositoryRootsTests
{
    [Fact]
    public void Without_configured_roots_local_repositories_come_from_the_data_folders_repos()
    {
        var options = From(("MultiAgent:DataRoot", "/var/lib/multiagent"));

        Assert.Empty(options.ConfiguredRepositoryRoots);
        Assert.Equal("/var/lib/multiagent/repos", options.RepositoriesDirectory);
        Assert.Equal(["/var/lib/multiagent/repos"], options.LocalRepositoryRoots);
    }

    [Fact]
    public void Configured_roots_replace_the_default_as_full_paths()
    {
        var listed = From(
            ("MultiAgent:DataRoot", "/var/lib/multiagent"),
            ("MultiAgent:LocalGit:AllowedRoots:0", "/srv/repos/"),
            ("MultiAgent:LocalGit:AllowedRoots:1", "/home/git/../git/projects"));
        var single = From(("MultiAgent:DataRoot", "/var/lib/multiagent"), ("MultiAgent:LocalGit:AllowedRoots", "/srv/repos"));
        var relative = From(("MultiAgent:DataRoot", "/var/lib/multiagent"), ("MultiAgent:LocalGit:AllowedRoots:0", "repos"));

        Assert.Equal(["/srv/repos", "/home/git/projects"], listed.LocalRepositoryRoots);
        Assert.Equal(["/srv/repos"], single.LocalRepositoryRoots);
        Assert.Equal([Path.GetFullPath("repos")], relative.LocalRepositoryRoots);
    }

    [Fact]
    public void The_cli_config_file_lists_the_roots_when_given()
    {
        using var with = JsonDocument.Parse(NatsHostingExtensions.CliConfigJson("nats://127.0.0.1:4222", "operator", "pw", ["/srv/repos", "/srv/more"]));
        using var without = JsonDocument.Parse(NatsHostingExtensions.CliConfigJson("nats://127.0.0.1:4222", "operator", "pw"));

        Assert.Equal(
            ["/srv/repos", "/srv/more"],
            with.RootElement.GetProperty("localRepositoryRoots").EnumerateArray().Select(root => root.GetString()!).ToArray());
        Assert.Equal("operator", with.RootElement.GetProperty("user").GetString());
        Assert.False(without.RootElement.TryGetProperty("localRepositoryRoots", out _));
    }

    private static LocalInfrastructureOptions From(params (string Key, string Value)[] settings) =>
        LocalInfrastructureOptions.From(
            new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))).Build(),
            "/nonexistent-apphost");
}
