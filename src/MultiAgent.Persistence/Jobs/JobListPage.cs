namespace MultiAgent.Persistence;

/// <summary>One page of a job listing.</summary>
/// <param name="Items">The jobs on this page, newest first.</param>
/// <param name="Total">How many jobs match the query across all pages.</param>
public sealed record JobListPage(IReadOnlyList<JobRecord> Items, long Total);
