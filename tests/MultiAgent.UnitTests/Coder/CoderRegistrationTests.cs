using Agents.Coder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MultiAgent.AgentRuntime.Tasks;
using MultiAgent.Contracts;
using MultiAgent.Llm;
using MultiAgent.Repositories;
using MultiAgent.Repositories.GitHub;
using MultiAgent.Repositories.Local;
using MultiAgent.Repositories.Workspaces;
using Npgsql;

namespace MultiAgent.UnitTests.Coder;

/// <summary>What the Coder's Program registers resolves, with its settings from MultiAgent:Coder.</summary>
public sealed class CoderRegistrationTests
{
    [Fact]
    public async Task The_handler_resolves_with_both_hosts_and_its_settings_and_fails_clearly_without_model_settings()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["MultiAgent:Coder:CheckCommand"] = "make test",
            ["MultiAgent:Coder:MaxSteps"] = "12",
            ["MultiAgent:Coder:CheckTimeout"] = "00:02:00",
        }).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        await using var dataSource = NpgsqlDataSource.Create("Host=localhost;Database=unused");
        services.AddSingleton(dataSource);
        services.AddLocalGitHost(configuration);
        services.AddGitHubHost(configuration);
        services.AddWorkspaces(configuration);
        services.AddLlm(configuration);
        services.AddCoder(configuration);
        await using var provider = services.BuildServiceProvider();

        Assert.NotNull(provider.GetRequiredService<ImplementationHandler>());
        var options = provider.GetRequiredService<IOptions<CoderOptions>>().Value;
        Assert.Equal("make test", options.CheckCommand);
        Assert.Equal(12, options.MaxSteps);
        Assert.Equal(TimeSpan.FromMinutes(2), options.CheckTimeout);
        Assert.Equal(400_000, options.MaxTotalTokens);
        var resolver = provider.GetRequiredService<RepositoryHostResolver>();
        Assert.Equal(RepositoryHostKind.Local, resolver.For(RepositoryReference.Parse("/srv/repos/demo.git")).Kind);
        Assert.Equal(RepositoryHostKind.GitHub, resolver.For(RepositoryReference.Parse("https://github.com/o/r")).Kind);
        var context = new TaskContext(MessageSerializer.Wrap(new ImplementationRequest("j", "t", "/x", "main", "T", 1), AgentType.Coder, "j"), 1, false);
        var missing = Assert.Throws<NonRetryableLlmException>(() => provider.GetRequiredService<ITaskModelProvider>().Open(AgentType.Coder, context.TaskId, context.JobId));
        Assert.StartsWith("the Coder's language model is not configured", missing.Message, StringComparison.Ordinal);
    }
}
