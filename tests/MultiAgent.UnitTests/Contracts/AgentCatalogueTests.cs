using MultiAgent.Contracts;

namespace MultiAgent.UnitTests.Contracts;

/// <summary>The agent catalogue: one entry per agent type, names usable everywhere they are used, every message taken by one agent.</summary>
public sealed class AgentCatalogueTests
{
    [Fact]
    public void Every_agent_type_has_one_entry_whose_name_is_its_subject_token_and_settings_key()
    {
        Assert.Equal(Enum.GetValues<AgentType>(), AgentCatalogue.Types);
        Assert.All(AgentCatalogue.All, agent =>
        {
            Assert.True(Subjects.IsValidToken(agent.Name), agent.Name);
            Assert.Equal(agent.Name, agent.Name.ToLowerInvariant());
            Assert.Equal($"multiagent.tasks.{agent.Name}", Subjects.Tasks(agent.Type));
            Assert.Same(agent, AgentCatalogue.Named(agent.Name));
            Assert.StartsWith("/health", agent.ReadinessPath, StringComparison.Ordinal);
        });
        Assert.Equal(["coder", "reviewer", "repomanager"], AgentCatalogue.All.Select(a => a.Name));
        Assert.Null(AgentCatalogue.Named("tester"));
        Assert.Throws<ArgumentOutOfRangeException>(() => AgentCatalogue.Of((AgentType)99));
    }

    [Theory]
    [InlineData(1, "coder")]
    [InlineData(2, "coder-2")]
    [InlineData(8, "coder-8")]
    public void An_instances_resource_name_leads_back_to_its_agent_type(int instance, string name)
    {
        var coder = AgentCatalogue.Of(AgentType.Coder);

        Assert.Equal(name, AgentCatalogue.ResourceName(coder, instance));
        Assert.Same(coder, AgentCatalogue.OfResource(name));
        // Names that only look like an instance's are no agent's.
        Assert.Null(AgentCatalogue.OfResource("tester-2"));
        Assert.Null(AgentCatalogue.OfResource("coder-"));
        Assert.Null(AgentCatalogue.OfResource("coder-x"));
        Assert.Null(AgentCatalogue.OfResource("nats-2"));
    }

    [Fact]
    public void Every_task_message_is_taken_by_exactly_one_agent_type()
    {
        var taken = AgentCatalogue.All.SelectMany(a => a.Handles).ToList();

        Assert.Equal(taken.Count, taken.Distinct().Count());
        Assert.All(taken, type => Assert.True(MessageTypes.IsKnown(type), type));
        // The feature result is not a task: it is the job.completed event's data.
        Assert.Equal(MessageTypes.All.Where(t => t != MessageTypes.FeatureResult).Order(), taken.Order());
    }
}
