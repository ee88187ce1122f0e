using MultiAgent.Contracts;

namespace MultiAgent.UnitTests.Contracts;

/// <summary>
/// Every message survives Wrap → Serialize → Deserialize → Unwrap (and the bare SerializeMessage/DeserializeMessage path)
/// with every field intact. Lists are compared by content first; then the record is compared with the lists swapped in,
/// so record equality covers every remaining (scalar) field, including fields added later.
/// </summary>
public class RoundTripTests
{
    [Fact]
    public void Samples_set_every_property_so_the_round_trips_below_are_meaningful()
    {
        foreach (var message in ContractSamples.AllMessages())
        {
            ContractSamples.AssertFullyPopulated(message);
        }
    }

    [Fact]
    public void FeatureRequest_round_trips()
    {
        var expected = ContractSamples.FeatureRequest();
        foreach (var actual in BothPaths(expected, AgentType.RepoManager))
        {
            Assert.Equal(expected.Requirements, actual.Requirements);
            Assert.Equal(expected with { Requirements = actual.Requirements }, actual);
        }
    }

    [Fact]
    public void ImplementationRequest_round_trips()
    {
        var expected = ContractSamples.ImplementationRequest();
        foreach (var actual in BothPaths(expected, AgentType.Coder))
        {
            Assert.Equal(expected.Requirements, actual.Requirements);
            Assert.Equal(expected.PreviousReviewComments, actual.PreviousReviewComments);
            Assert.Equal(
                expected with { Requirements = actual.Requirements, PreviousReviewComments = actual.PreviousReviewComments },
                actual);
        }
    }

    [Fact]
    public void ImplementationResult_round_trips()
    {
        var expected = ContractSamples.ImplementationResult();
        foreach (var actual in BothPaths(expected, AgentType.RepoManager))
        {
            Assert.Equal(expected.FilesChanged, actual.FilesChanged);
            Assert.Equal(12_000_000_000, actual.TokenUsage.InputTokens);
            Assert.Equal(expected with { FilesChanged = actual.FilesChanged }, actual);
        }
    }

    [Fact]
    public void ReviewRequest_round_trips()
    {
        var expected = ContractSamples.ReviewRequest();
        foreach (var actual in BothPaths(expected, AgentType.Reviewer))
        {
            Assert.Equal(expected, actual);
        }
    }

    [Fact]
    public void ReviewResult_round_trips()
    {
        var expected = ContractSamples.ReviewResult();
        foreach (var actual in BothPaths(expected, AgentType.RepoManager))
        {
            Assert.Equal(expected.Comments, actual.Comments);
            Assert.Equal(expected with { Comments = actual.Comments }, actual);
        }
    }

    [Fact]
    public void FeatureResult_round_trips()
    {
        var expected = ContractSamples.FeatureResult();
        foreach (var actual in BothPaths(expected, AgentType.RepoManager))
        {
            Assert.Equal(expected, actual);
            Assert.Equal(expected.CompletedAt.Offset, actual.CompletedAt.Offset);
        }
    }

    [Fact]
    public void Non_generic_Unwrap_returns_the_registered_clr_type()
    {
        foreach (var message in ContractSamples.AllMessages())
        {
            var envelope = MessageSerializer.Deserialize(MessageSerializer.Serialize(WrapAny(message)));

            var payload = MessageSerializer.Unwrap(envelope);

            Assert.IsType(message.GetType(), payload);
        }
    }

    /// <summary>The message after the envelope path and after the bare-message path.</summary>
    private static T[] BothPaths<T>(T message, AgentType target)
        where T : class
    {
        var bytes = MessageSerializer.Serialize(MessageSerializer.Wrap(message, target, "job-42"));
        var envelope = MessageSerializer.Deserialize(bytes);
        Assert.Equal(MessageTypes.NameOf<T>(), envelope.Type);
        Assert.Equal(target, envelope.AgentType);
        var viaEnvelope = MessageSerializer.Unwrap<T>(envelope);

        var viaBareMessage = MessageSerializer.DeserializeMessage<T>(MessageSerializer.SerializeMessage(message));

        return [viaEnvelope, viaBareMessage];
    }

    private static TaskEnvelope WrapAny(object message) => message switch
    {
        FeatureRequest m => MessageSerializer.Wrap(m, AgentType.RepoManager, "job-42"),
        ImplementationRequest m => MessageSerializer.Wrap(m, AgentType.Coder, "job-42"),
        ImplementationResult m => MessageSerializer.Wrap(m, AgentType.RepoManager, "job-42"),
        ReviewRequest m => MessageSerializer.Wrap(m, AgentType.Reviewer, "job-42"),
        ReviewResult m => MessageSerializer.Wrap(m, AgentType.RepoManager, "job-42"),
        FeatureResult m => MessageSerializer.Wrap(m, AgentType.RepoManager, "job-42"),
        ProjectRequest m => MessageSerializer.Wrap(m, AgentType.RepoManager, "proj-7"),
        _ => throw new ArgumentException($"No sample wrapper for {message.GetType()}", nameof(message)),
    };
}
