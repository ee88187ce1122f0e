using MultiAgent.Contracts;

namespace MultiAgent.UnitTests.Contracts;

/// <summary>Message type names, their CLR types, and <see cref="TokenUsage"/> arithmetic.</summary>
public class MessageTypesTests
{
    [Theory]
    [InlineData(typeof(FeatureRequest), "feature.request")]
    [InlineData(typeof(ImplementationRequest), "implementation.request")]
    [InlineData(typeof(ImplementationResult), "implementation.result")]
    [InlineData(typeof(ReviewRequest), "review.request")]
    [InlineData(typeof(ReviewResult), "review.result")]
    [InlineData(typeof(FeatureResult), "feature.result")]
    [InlineData(typeof(ApprovalDecision), "approval.decision")]
    public void Type_names_map_both_ways(Type type, string name)
    {
        Assert.Equal(name, MessageTypes.NameOf(type));
        Assert.Equal(type, MessageTypes.ClrTypeOf(name));
        Assert.True(MessageTypes.IsKnown(name));
        Assert.Contains(name, MessageTypes.All);
        Assert.NotNull(ContractsJsonContext.Default.GetTypeInfo(type));
    }

    [Fact]
    public void Constants_match_the_lookup()
    {
        Assert.Equal(MessageTypes.FeatureRequest, MessageTypes.NameOf<FeatureRequest>());
        Assert.Equal(MessageTypes.ImplementationRequest, MessageTypes.NameOf<ImplementationRequest>());
        Assert.Equal(MessageTypes.ImplementationResult, MessageTypes.NameOf<ImplementationResult>());
        Assert.Equal(MessageTypes.ReviewRequest, MessageTypes.NameOf<ReviewRequest>());
        Assert.Equal(MessageTypes.ReviewResult, MessageTypes.NameOf<ReviewResult>());
        Assert.Equal(MessageTypes.FeatureResult, MessageTypes.NameOf<FeatureResult>());
        Assert.Equal(MessageTypes.ApprovalDecision, MessageTypes.NameOf<ApprovalDecision>());
        Assert.Equal(MessageTypes.ProjectRequest, MessageTypes.NameOf<ProjectRequest>());
        Assert.Equal(8, MessageTypes.All.Count);
    }

    [Fact]
    public void Unknown_names_and_types_are_not_found()
    {
        Assert.False(MessageTypes.IsKnown("Feature.Request"));
        Assert.False(MessageTypes.IsKnown(null));
        Assert.False(MessageTypes.TryGetClrType("nope", out _));
        Assert.False(MessageTypes.TryGetName(typeof(TokenUsage), out _));
        Assert.Throws<ArgumentException>(() => MessageTypes.NameOf<ReviewComment>());
        Assert.Throws<ArgumentException>(() => MessageTypes.ClrTypeOf("nope"));
    }

    [Fact]
    public void Token_usage_adds_up()
    {
        var a = new TokenUsage(100, 20);
        var b = new TokenUsage(5, 1);

        Assert.Equal(new TokenUsage(105, 21), a + b);
        Assert.Equal(a + b, a.Add(b));
        Assert.Equal(126, (a + b).Total);
        Assert.Equal(a, a + TokenUsage.Zero);
        Assert.Equal(0, TokenUsage.Zero.Total);
    }
}
