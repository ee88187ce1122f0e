using MultiAgent.Contracts;

namespace MultiAgent.Persistence;

/// <summary>A page of jobs, newest first, optionally filtered (see <see cref="JobStore.ListAsync"/>).</summary>
public sealed record JobListQuery
{
    /// <summary>Largest allowed <see cref="Limit"/>.</summary>
    public const int MaxLimit = 200;

    /// <summary>Only jobs in this state.</summary>
    public JobStatus? Status { get; init; }

    /// <summary>Only jobs for this repository (exact match).</summary>
    public string? Repository { get; init; }

    /// <summary>Page size, 1..<see cref="MaxLimit"/>.</summary>
    public int Limit { get; init; } = 20;

    /// <summary>Number of matching jobs to skip.</summary>
    public int Offset { get; init; }
}
