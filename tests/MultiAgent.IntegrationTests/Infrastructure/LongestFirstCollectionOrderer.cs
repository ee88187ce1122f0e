using Xunit.Abstractions;

[assembly: TestCollectionOrderer(
    "MultiAgent.IntegrationTests.Infrastructure.LongestFirstCollectionOrderer", "MultiAgent.IntegrationTests")]

namespace MultiAgent.IntegrationTests.Infrastructure;

/// <summary>
/// Starts the two long, serial collections first: the running system's (every end-to-end scenario, one topology) and
/// the servers' (stores, bus, runtime). Each holds one of the two test threads for most of the run while the short
/// collections fill the gaps; started last, either would run alone at the end and stretch the suite by minutes.
/// </summary>
public sealed class LongestFirstCollectionOrderer : ITestCollectionOrderer
{
    private static readonly string[] Longest = [SystemCollection.Name, InfrastructureCollection.Name];

    public IEnumerable<ITestCollection> OrderTestCollections(IEnumerable<ITestCollection> testCollections) =>
        testCollections
            .OrderBy(c => Array.IndexOf(Longest, c.DisplayName) is var rank and >= 0 ? rank : Longest.Length)
            .ThenBy(c => c.DisplayName, StringComparer.Ordinal);
}
