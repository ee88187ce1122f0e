namespace MultiAgent.Persistence;

/// <summary>The outcome of <see cref="JobStore.CreateAsync"/>.</summary>
/// <param name="Job">The stored job: the new one, or the one that already had this id.</param>
/// <param name="Created">Whether this call inserted it.</param>
public sealed record JobCreateResult(JobRecord Job, bool Created);
