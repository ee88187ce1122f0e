using MultiAgent.Contracts;

namespace MultiAgent.UnitTests.Contracts;

/// <summary>Token usage adds up, and so does its cost, as far as it is known.</summary>
public sealed class TokenUsageTests
{
    [Fact]
    public void Usages_add_up_and_so_do_their_costs()
    {
        var sum = new TokenUsage(220, 30, 0.00085m) + new TokenUsage(200, 40, 0.00036m);

        Assert.Equal(new TokenUsage(420, 70, 0.00121m), sum);
    }

    [Fact]
    public void Work_without_prices_adds_its_tokens_but_no_cost_and_no_cost_stays_unknown()
    {
        Assert.Equal(new TokenUsage(420, 70, 0.00085m), new TokenUsage(220, 30, 0.00085m) + new TokenUsage(200, 40));
        Assert.Null((new TokenUsage(220, 30) + new TokenUsage(200, 40)).Cost);
    }

    [Fact]
    public void A_usage_without_cost_is_written_without_one()
    {
        static string Json(TokenUsage usage) => System.Text.Encoding.UTF8.GetString(MessageSerializer.SerializeMessage(usage));

        Assert.Equal("""{"inputTokens":1,"outputTokens":2}""", Json(new TokenUsage(1, 2)));
        Assert.Equal("""{"inputTokens":1,"outputTokens":2,"cost":0.5}""", Json(new TokenUsage(1, 2, 0.5m)));
    }
}
