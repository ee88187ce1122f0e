using Microsoft.Extensions.Configuration;

namespace MultiAgent.Hosting.Logs;

/// <summary>
/// Where the AppHost writes every resource's output (<c>MultiAgent:Logs</c>): one folder per resource, a file per day
/// (and a new one past <see cref="FileSizeLimitBytes"/>), files older than <see cref="RetainedDays"/> deleted.
/// </summary>
public sealed record ResourceLogOptions
{
    public const string SectionName = "MultiAgent:Logs";

    /// <summary>False: output stays on the console and in the dashboard only.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>The folder holding one folder per resource; <c>&lt;DataRoot&gt;/logs</c> when empty.</summary>
    public string? Directory { get; init; }

    /// <summary>Days a log file is kept.</summary>
    public int RetainedDays { get; init; } = 30;

    /// <summary>Size at which a day's file is continued in a new one (<c>…_001.log</c>).</summary>
    public long FileSizeLimitBytes { get; init; } = 100L * 1024 * 1024;

    /// <summary>Reads <see cref="SectionName"/>; <paramref name="dataRoot"/> gives the default folder.</summary>
    public static ResourceLogOptions From(IConfiguration configuration, string dataRoot)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var options = configuration.GetSection(SectionName).Get<ResourceLogOptions>() ?? new ResourceLogOptions();
        if (options.RetainedDays < 1)
        {
            throw new InvalidOperationException($"{SectionName}:{nameof(RetainedDays)} must be at least 1.");
        }

        if (options.FileSizeLimitBytes < 1024 * 1024)
        {
            throw new InvalidOperationException($"{SectionName}:{nameof(FileSizeLimitBytes)} must be at least 1048576 (1 MB).");
        }

        return options with { Directory = Path.GetFullPath(string.IsNullOrWhiteSpace(options.Directory) ? Path.Combine(dataRoot, "logs") : options.Directory) };
    }

    /// <summary>The folder of one resource's files.</summary>
    public string FolderOf(string resource) => Path.Combine(Directory!, resource);
}
