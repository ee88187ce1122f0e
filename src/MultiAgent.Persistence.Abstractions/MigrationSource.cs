using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;

namespace MultiAgent.Persistence;

/// <summary>
/// The migrations one library owns: its <c>Migrations/NNNN_name.sql</c>, embedded under a logical name prefix (see
/// its csproj). Versions are one sequence across the database: each number belongs to exactly one library, and the
/// migrator applies what a process carries in version order.
/// </summary>
/// <param name="Owner">The library (assembly name), for messages.</param>
/// <param name="Migrations">Its migrations in version order.</param>
public sealed partial record MigrationSource(string Owner, IReadOnlyList<Migration> Migrations)
{
    /// <summary>Reads the migrations embedded in <paramref name="assembly"/> under <paramref name="resourcePrefix"/>.</summary>
    /// <exception cref="InvalidOperationException">A badly named, unreadable or duplicate migration, or none at all.</exception>
    public static MigrationSource FromEmbedded(Assembly assembly, string resourcePrefix)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        ArgumentException.ThrowIfNullOrEmpty(resourcePrefix);
        var owner = assembly.GetName().Name ?? assembly.FullName ?? "?";
        var migrations = new List<Migration>();
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(resourcePrefix, StringComparison.Ordinal)))
        {
            var fileName = resource[resourcePrefix.Length..];
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

        if (migrations.Count == 0)
        {
            throw new InvalidOperationException("No migrations are embedded in " + owner + ".");
        }

        return new MigrationSource(owner, Ordered(migrations.Select(m => (owner, m))));
    }

    /// <summary>The migrations of all <paramref name="sources"/> in version order (a source given twice counts once).</summary>
    /// <exception cref="InvalidOperationException">Two migrations share a version.</exception>
    public static IReadOnlyList<Migration> Combine(IEnumerable<MigrationSource> sources)
    {
        ArgumentNullException.ThrowIfNull(sources);
        return Ordered(sources.DistinctBy(s => s.Owner).SelectMany(s => s.Migrations.Select(m => (s.Owner, m))));
    }

    private static List<Migration> Ordered(IEnumerable<(string Owner, Migration Migration)> migrations)
    {
        var all = migrations.ToList();
        var duplicate = all.GroupBy(m => m.Migration.Version).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new InvalidOperationException(
                $"Migration version {duplicate.Key:D4} is used by {string.Join(" and ", duplicate.Select(d => $"{d.Migration} ({d.Owner})"))}.");
        }

        return [.. all.Select(m => m.Migration).OrderBy(m => m.Version)];
    }

    [GeneratedRegex(@"^(?<version>\d{4})_(?<name>[a-z0-9_]+)\.sql$", RegexOptions.CultureInvariant)]
    private static partial Regex FileNamePattern();
}

/// <summary>Registers a library's migrations for the migrator (<c>DatabaseMigrator</c> in MultiAgent.Persistence).</summary>
public static class MigrationServiceCollectionExtensions
{
    /// <summary>Adds <paramref name="source"/> to the migrations the process applies; adding the same owner twice is harmless.</summary>
    public static IServiceCollection AddMigrations(this IServiceCollection services, MigrationSource source)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(source);
        if (!services.Any(d => d.ServiceType == typeof(MigrationSource) && d.ImplementationInstance is MigrationSource s && s.Owner == source.Owner))
        {
            services.AddSingleton(source);
        }

        return services;
    }
}
