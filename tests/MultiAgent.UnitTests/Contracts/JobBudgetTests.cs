using MultiAgent.Contracts;

namespace MultiAgent.UnitTests.Contracts;

/// <summary>A job's budget: how it is written, and when usage has used it up.</summary>
public sealed class JobBudgetTests
{
    [Theory]
    [InlineData("tokens:200000", 200_000L, null)]
    [InlineData("cost:2.5", null, "2.5")]
    [InlineData(" cost:0.75 , TOKENS:1_000 ", 1_000L, "0.75")]
    public void Tokens_and_cost_are_read_in_any_order(string text, long? tokens, string? cost)
    {
        Assert.Equal(new JobBudget(tokens, cost is null ? null : decimal.Parse(cost, System.Globalization.CultureInfo.InvariantCulture)), JobBudget.Parse(text));
    }

    [Fact]
    public void Usage_reaching_a_cap_has_used_the_budget_up_and_says_the_figures()
    {
        var budget = new JobBudget(Tokens: 1_000, Cost: 0.5m);

        Assert.Null(budget.Exceeded(new TokenUsage(900, 99, 0.49m)));
        Assert.Equal("budget exceeded: the job has used 1,000 tokens of its budget of 1,000", budget.Exceeded(new TokenUsage(900, 100)));
        Assert.Equal("budget exceeded: the job has cost about 0.5 of its budget of 0.5", budget.Exceeded(new TokenUsage(10, 10, 0.5m)));
        // Usage without prices has no cost: it never reaches a cost cap.
        Assert.Null(new JobBudget(Cost: 0.01m).Exceeded(new TokenUsage(1_000_000, 1_000_000)));
    }

    [Fact]
    public void The_task_that_takes_the_job_past_80_percent_is_warned_once_and_not_when_it_used_the_budget_up()
    {
        var budget = new JobBudget(Tokens: 1_000, Cost: 1m);

        Assert.Equal("budget 80 % used: the job has used 850 tokens of its budget of 1,000", budget.CrossedWarning(new TokenUsage(500, 100), new TokenUsage(700, 150)));
        Assert.Null(budget.CrossedWarning(new TokenUsage(700, 150), new TokenUsage(750, 160))); // past 80 % already
        Assert.Null(budget.CrossedWarning(new TokenUsage(500, 100), new TokenUsage(900, 100))); // used up: that is a failure
        Assert.Equal("budget 80 % used: the job has cost about 0.85 of its budget of 1", budget.CrossedWarning(new TokenUsage(1, 1, 0.5m), new TokenUsage(2, 2, 0.85m)));
    }
}
