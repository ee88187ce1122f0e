using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MultiAgent.Repositories;
using MultiAgent.Repositories.Local;
using MultiAgent.Repositories.Workspaces;
using Npgsql;

namespace MultiAgent.UnitTests.Repositories.Local;

/// <summary>The service registrations and the host resolver.</summary>
public sealed class RegistrationTests
{
    [Fact]
    public void AddLocalGitHost_and_AddWorkspaces_register_singletons_with_bound_options()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["MultiAgent:Workspaces:BranchPrefix"] = "bot/",
            ["MultiAgent:Workspaces:MaxTotalBytes"] = "1048576",
            ["MultiAgent:LocalGit:MergeAuthorName"] = "Merger",
        }).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        // Never opened here: no connection is made until a store method runs.
        services.AddSingleton(_ => NpgsqlDataSource.Create("Host=127.0.0.1;Port=1;Database=none"));
        services.AddLocalGitHost(configuration).AddLocalGitHost(configuration).AddWorkspaces(configuration);

        using var provider = services.BuildServiceProvider();

        var host = Assert.Single(provider.GetServices<IRepositoryHost>());
        Assert.Same(provider.GetRequiredService<LocalGitHost>(), host);
        Assert.Equal(RepositoryHostKind.Local, host.Kind);
        Assert.Same(provider.GetRequiredService<WorkspaceManager>(), provider.GetRequiredService<WorkspaceManager>());
        Assert.Equal("bot/", provider.GetRequiredService<WorkspaceManager>().Options.BranchPrefix);
        Assert.Equal(1048576, provider.GetRequiredService<IOptions<WorkspaceOptions>>().Value.MaxTotalBytes);
        Assert.Equal("Merger", provider.GetRequiredService<IOptions<LocalGitHostOptions>>().Value.MergeAuthorName);
        // The resolver hands the host out behind the secret redaction of everything it writes.
        var resolved = provider.GetRequiredService<RepositoryHostResolver>().For(RepositoryReference.Parse("/srv/repos/demo.git"));
        Assert.IsType<RedactingRepositoryHost>(resolved);
        Assert.Equal(RepositoryHostKind.Local, resolved.Kind);
    }

    [Fact]
    public void The_resolver_explains_when_no_host_serves_a_kind()
    {
        var resolver = new RepositoryHostResolver([]);

        var error = Assert.Throws<RepositoryHostException>(() => resolver.For(RepositoryReference.Parse("https://github.com/octo/hello")));

        Assert.Equal(RepositoryErrorKind.InvalidReference, error.Kind);
        Assert.Contains("No repository host is registered for GitHub repositories", error.Message, StringComparison.Ordinal);
        Assert.Contains("github.com/octo/hello", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_workspace_options_are_rejected()
    {
        var result = new WorkspaceOptionsValidator().Validate(null, new WorkspaceOptions { Root = "relative", BranchPrefix = "", MaxTotalBytes = 0 });

        Assert.True(result.Failed);
        Assert.Contains("Root", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("BranchPrefix", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("MaxTotalBytes", result.FailureMessage, StringComparison.Ordinal);
    }
}
