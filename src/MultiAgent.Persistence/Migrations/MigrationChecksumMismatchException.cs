namespace MultiAgent.Persistence;

/// <summary>
/// An applied migration's script has changed since it ran. The database is left untouched: applied migrations
/// must never be edited; add a new one instead.
/// </summary>
public sealed class MigrationChecksumMismatchException : InvalidOperationException
{
    /// <summary>Creates the exception for <paramref name="migration"/>, recorded with <paramref name="appliedChecksum"/>.</summary>
    public MigrationChecksumMismatchException(Migration migration, string appliedChecksum)
        : base($"Migration {migration} was applied with checksum {appliedChecksum}, but this build's {migration}.sql has " +
               $"checksum {migration.Checksum}. Applied migrations must never be edited; revert the change and add a new " +
               "migration instead. Refusing to start.")
    {
        Version = migration.Version;
        AppliedChecksum = appliedChecksum;
        ExpectedChecksum = migration.Checksum;
    }

    /// <summary>The migration's version.</summary>
    public int Version { get; }

    /// <summary>The checksum recorded in <c>schema_migrations</c>.</summary>
    public string AppliedChecksum { get; }

    /// <summary>The checksum of the embedded script.</summary>
    public string ExpectedChecksum { get; }
}
