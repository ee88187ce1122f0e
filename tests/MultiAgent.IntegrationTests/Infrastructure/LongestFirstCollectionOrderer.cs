using Xunit.Abstractions;

[assembly: TestCollectionOrderer(
    "MultiAgent.IntegrationTests.Infrastructure.LongestFirstCollectionOrderer", "MultiAgent.IntegrationTests")]

namespace MultiAgent.IntegrationTests.Infrastructure;

/// <summary>
/// Starts the long, serial collections first (each on a topology of its own: the end-to-end scenarios, those that kill
/// parts, the task runtime's, the three-node cluster's, the servers'), longest first. The first four take the four test
/// threads (xunit.runner.json) from the start; the short collections fill the gaps as they end. Started last, a long
/// one would run alone at the end and stretch the suite by minutes.
/// </summary>
public sealed class LongestFirstCollectionOrderer : ITestCollectionOrderer
{
    private static readonly string[] Longest =
        [SystemCollection.Name, SystemFaultsCollection.Name, RuntimeCollection.Name, ClusterCollection.Name, InfrastructureCollection.Name];

    /// <summary>
    /// Short collections that mostly wait (a Retry-After, a back-off, a timeout) rather than compute: started right after
    /// the long ones, they wait beside the work instead of ending the run alone (the GitHub host's resilience tests, 10 s
    /// of waiting, ran last and alone for 6 s when they came in name order).
    /// </summary>
    private static readonly string[] MostlyWaiting =
        [typeof(Repositories.GitHub.GitHubHostResilienceTests).FullName!, typeof(Llm.LlmClientTests).FullName!];

    public IEnumerable<ITestCollection> OrderTestCollections(IEnumerable<ITestCollection> testCollections) =>
        testCollections
            .OrderBy(Rank)
            .ThenBy(c => c.DisplayName, StringComparer.Ordinal);

    private static int Rank(ITestCollection collection)
    {
        if (Array.IndexOf(Longest, collection.DisplayName) is var longest and >= 0)
        {
            return longest;
        }

        // A class's own collection is called "Test collection for <the class's full name>".
        var waiting = Array.FindIndex(MostlyWaiting, name => collection.DisplayName.EndsWith(" " + name, StringComparison.Ordinal));
        return waiting >= 0 ? Longest.Length + waiting : Longest.Length + MostlyWaiting.Length;
    }
}
