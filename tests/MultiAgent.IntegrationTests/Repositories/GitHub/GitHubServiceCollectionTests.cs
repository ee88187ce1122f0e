using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MultiAgent.Repositories;
using MultiAgent.Repositories.GitHub;
using MultiAgent.IntegrationTests.Fakes.GitHub;

namespace MultiAgent.IntegrationTests.Repositories.GitHub;

public sealed class GitHubServiceCollectionTests
{
    [Fact]
    public async Task AddGitHubHost_binds_MultiAgent_GitHub_and_registers_one_singleton_host()
    {
        await using var fake = await GitHubFake.StartAsync("/api/v3");
        fake.RequiredToken = GitHubHostHarness.Token;
        fake.AddRepository("octo", "widgets", webHost: "ghe.example.com");
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["MultiAgent:GitHub:Token"] = GitHubHostHarness.Token,
            ["MultiAgent:GitHub:ApiBaseUrl"] = fake.ApiBaseUrl.ToString(),
            ["MultiAgent:GitHub:MaxRateLimitWait"] = "00:00:45",
            ["MultiAgent:GitHub:RequestTimeout"] = "00:00:12",
            ["MultiAgent:GitHub:MaxRetries"] = "5",
        }).Build();
        var services = new ServiceCollection().AddLogging().AddGitHubHost(configuration).AddGitHubHost(configuration);
        await using var provider = services.BuildServiceProvider();

        var host = Assert.Single(provider.GetServices<IRepositoryHost>());
        var options = provider.GetRequiredService<IOptions<GitHubOptions>>().Value;
        var info = await host.GetRepositoryAsync(RepositoryReference.Parse("https://ghe.example.com/octo/widgets"));

        Assert.Equal(RepositoryHostKind.GitHub, host.Kind);
        Assert.Same(host, provider.GetRequiredService<GitHubHost>());
        Assert.Equal((TimeSpan.FromSeconds(45), TimeSpan.FromSeconds(12), 5),
            (options.MaxRateLimitWait, options.RequestTimeout, options.MaxRetries));
        Assert.Equal("https://ghe.example.com/octo/widgets.git", info.CloneUrl);
        Assert.Equal("/api/v3/repos/octo/widgets", Assert.Single(fake.Requests).Path);
    }

    [Fact]
    public async Task Without_a_configured_token_the_host_registers_and_its_calls_say_to_set_it()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>()).Build();
        await using var provider = new ServiceCollection().AddLogging().AddGitHubHost(configuration).BuildServiceProvider();

        var host = provider.GetRequiredService<IRepositoryHost>();
        var ex = await Assert.ThrowsAsync<RepositoryHostException>(() => host.GetRepositoryAsync(RepositoryReference.Parse("https://github.com/octo/widgets")));

        Assert.Equal(RepositoryErrorKind.Unauthorized, ex.Kind);
        Assert.Contains("set MultiAgent:GitHub:Token", ex.Message, StringComparison.Ordinal);
        Assert.Equal(GitHubOptions.DefaultApiBaseUrl, provider.GetRequiredService<IOptions<GitHubOptions>>().Value.ApiBaseUrl);
    }
}
