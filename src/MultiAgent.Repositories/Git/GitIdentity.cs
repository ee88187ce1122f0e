namespace MultiAgent.Repositories.Git;

/// <summary>The author and committer git records on commits it creates (passed per command, never read from config).</summary>
public sealed record GitIdentity(string Name, string Email);
