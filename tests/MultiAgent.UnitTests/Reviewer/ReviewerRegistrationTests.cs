using Agents.Reviewer;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MultiAgent.AgentRuntime.Tasks;
using MultiAgent.Contracts;
using MultiAgent.Llm;
using MultiAgent.Repositories;
using MultiAgent.Repositories.GitHub;
using MultiAgent.Repositories.Local;
using Npgsql;

namespace MultiAgent.UnitTests.Reviewer;

/// <summary>What the Reviewer's Program registers resolves, with its settings from MultiAgent:Reviewer.</summary>
public sealed class ReviewerRegistrationTests
{
    [Fact]
    public async Task The_handler_resolves_with_both_hosts_and_its_settings_and_fails_clearly_without_model_settings()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["MultiAgent:Reviewer:MaxDiffChars"] = "1234",
        }).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        await using var dataSource = NpgsqlDataSource.Create("Host=localhost;Database=unused");
        services.AddSingleton(dataSource);
        services.AddLocalGitHost(configuration);
        services.AddGitHubHost(configuration);
        services.AddLlm(configuration);
        services.AddReviewer(configuration);
        await using var provider = services.BuildServiceProvider();

        Assert.NotNull(provider.GetRequiredService<ReviewHandler>());
        Assert.Equal(1234, provider.GetRequiredService<IOptions<ReviewerOptions>>().Value.MaxDiffChars);
        var resolver = provider.GetRequiredService<RepositoryHostResolver>();
        Assert.Equal(RepositoryHostKind.Local, resolver.For(RepositoryReference.Parse("/srv/repos/demo.git")).Kind);
        Assert.Equal(RepositoryHostKind.GitHub, resolver.For(RepositoryReference.Parse("https://github.com/o/r")).Kind);
        var context = new TaskContext(MessageSerializer.Wrap(new ReviewRequest("j", "t", "/x", 1, "local://x/1", "abc", 1), AgentType.Reviewer, "j"), 1, false);
        var missing = Assert.Throws<NonRetryableLlmException>(() => provider.GetRequiredService<ITaskModelProvider>().Open(AgentType.Reviewer, context.TaskId, context.JobId));
        Assert.StartsWith("the Reviewer's language model is not configured", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_default_diff_limit_is_60000_characters() => Assert.Equal(60_000, new ReviewerOptions().MaxDiffChars);
}
