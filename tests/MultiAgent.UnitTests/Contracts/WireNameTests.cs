using MultiAgent.Contracts;

namespace MultiAgent.UnitTests.Contracts;

/// <summary>Wire names read back: exactly the names the contracts write, nothing else.</summary>
public sealed class WireNameTests
{
    [Fact]
    public void Every_wire_name_reads_back_as_its_member_and_any_other_text_does_not()
    {
        Assert.All(Enum.GetValues<ReviewCommentSeverity>(), value =>
        {
            Assert.True(WireName<ReviewCommentSeverity>.TryParse(WireName<ReviewCommentSeverity>.Of(value), out var read));
            Assert.Equal(value, read);
        });
        Assert.True(WireName<ReviewDecision>.TryParse("REQUEST_CHANGES", out var decision));
        Assert.Equal(ReviewDecision.RequestChanges, decision);
        Assert.False(WireName<ReviewDecision>.TryParse("approve", out _));
        Assert.False(WireName<ReviewDecision>.TryParse("MAYBE", out _));
        Assert.False(WireName<ReviewDecision>.TryParse(null, out _));
    }
}
