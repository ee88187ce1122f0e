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

    public IEnumerable<ITestCollection> OrderTestCollections(IEnumerable<ITestCollection> testCollections) =>
        testCollections
            .OrderBy(c => Array.IndexOf(Longest, c.DisplayName) is var rank and >= 0 ? rank : Longest.Length)
            .ThenBy(c => c.DisplayName, StringComparer.Ordinal);
}
