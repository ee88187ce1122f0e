using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;

namespace MultiAgent.Persistence;

/// <summary>Reads the migrations embedded in this assembly (see the csproj for their logical names).</summary>
internal static partial class MigrationCatalog
{
    private const string Prefix = "MultiAgent.Persistence.Migrations.";

    private static readonly Lazy<IReadOnlyList<Migration>> EmbeddedMigrations =
        new(() => Load(typeof(MigrationCatalog).Assembly));

    /// <summary>The embedded migrations in version order.</summary>
    public static IReadOnlyList<Migration> Embedded => EmbeddedMigrations.Value;

    private static IReadOnlyList<Migration> Load(Assembly assembly)
    {
        var migrations = new List<Migration>();
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)))
        {
            var fileName = resource[Prefix.Length..];
            var match = FileNamePattern().Match(fileName);
            if (!match.Success)
            {
                throw new InvalidOperationException(
                    $"Embedded migration '{fileName}' is not named NNNN_name.sql (four digits, lowercase name).");
            }

            using var stream = assembly.GetManifestResourceStream(resource)
                ?? throw new InvalidOperationException($"Embedded migration '{fileName}' cannot be read.");
            using var reader = new StreamReader(stream);
            migrations.Add(Migration.Create(
                int.Parse(match.Groups["version"].Value, CultureInfo.InvariantCulture),
                match.Groups["name"].Value,
                reader.ReadToEnd()));
        }

        var duplicate = migrations.GroupBy(m => m.Version).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new InvalidOperationException(
                $"Migration version {duplicate.Key:D4} is used by {string.Join(" and ", duplicate)}.");
        }

        if (migrations.Count == 0)
        {
            throw new InvalidOperationException("No migrations are embedded in " + assembly.GetName().Name + ".");
        }

        return [.. migrations.OrderBy(m => m.Version)];
    }

    [GeneratedRegex(@"^(?<version>\d{4})_(?<name>[a-z0-9_]+)\.sql$", RegexOptions.CultureInvariant)]
    private static partial Regex FileNamePattern();
}
