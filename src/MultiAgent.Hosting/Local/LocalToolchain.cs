namespace MultiAgent.Hosting.Local;

/// <summary>Finds the server binaries that run mode starts as processes.</summary>
public static class LocalToolchain
{
    private const string DebianPostgresRoot = "/usr/lib/postgresql";

    /// <summary>The nats-server executable: the configured path, else the first one on PATH.</summary>
    public static string FindNatsServer(LocalInfrastructureOptions options)
    {
        if (!string.IsNullOrWhiteSpace(options.NatsServerPath))
        {
            return File.Exists(options.NatsServerPath)
                ? options.NatsServerPath
                : throw new LocalPrerequisiteException(
                    $"MultiAgent:NatsServerPath points to '{options.NatsServerPath}', which does not exist.");
        }

        return FindOnPath("nats-server")
            ?? throw new LocalPrerequisiteException(
                "nats-server was not found on PATH. Install the Debian package 'nats-server' " +
                "(sudo apt-get install -y nats-server), or set MultiAgent:NatsServerPath.");
    }

    /// <summary>
    /// The PostgreSQL bin folder holding <c>postgres</c> and <c>initdb</c>: the configured one, else the newest
    /// version under /usr/lib/postgresql (Debian keeps them off PATH), else the folder of <c>postgres</c> on PATH.
    /// </summary>
    public static string FindPostgresBinDirectory(LocalInfrastructureOptions options)
    {
        if (!string.IsNullOrWhiteSpace(options.PostgresBinDirectory))
        {
            return HasPostgresBinaries(options.PostgresBinDirectory)
                ? options.PostgresBinDirectory
                : throw new LocalPrerequisiteException(
                    $"MultiAgent:PostgresBinDirectory '{options.PostgresBinDirectory}' holds no 'postgres' and 'initdb'. " +
                    "Install the Debian package 'postgresql' (sudo apt-get install -y postgresql), or correct the setting.");
        }

        if (Directory.Exists(DebianPostgresRoot))
        {
            var newest = Directory.GetDirectories(DebianPostgresRoot)
                .Select(dir => (dir, version: int.TryParse(Path.GetFileName(dir), out var v) ? v : -1))
                .Where(x => x.version > 0 && HasPostgresBinaries(Path.Combine(x.dir, "bin")))
                .OrderByDescending(x => x.version)
                .Select(x => Path.Combine(x.dir, "bin"))
                .FirstOrDefault();
            if (newest is not null)
            {
                return newest;
            }
        }

        var onPath = FindOnPath("postgres");
        if (onPath is not null && HasPostgresBinaries(Path.GetDirectoryName(onPath)!))
        {
            return Path.GetDirectoryName(onPath)!;
        }

        throw new LocalPrerequisiteException(
            "PostgreSQL server binaries (postgres, initdb) were not found under /usr/lib/postgresql/<version>/bin " +
            "nor on PATH. Install the Debian package 'postgresql' (sudo apt-get install -y postgresql), " +
            "or set MultiAgent:PostgresBinDirectory.");
    }

    /// <summary>The first executable file of that name on PATH, or null.</summary>
    public static string? FindOnPath(string fileName)
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        foreach (var dir in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, fileName);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    private static bool HasPostgresBinaries(string dir) =>
        File.Exists(Path.Combine(dir, "postgres")) && File.Exists(Path.Combine(dir, "initdb"));
}
