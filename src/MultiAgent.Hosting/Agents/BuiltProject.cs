using System.Reflection;
using System.Text.Json;
using System.Runtime.Versioning;

namespace MultiAgent.Hosting.Agents;

/// <summary>
/// A project of the AppHost as its build left it: the assembly to run and the port of its <c>http</c> launch profile.
/// Building the AppHost builds the projects it references, in its own configuration and target framework, into the
/// usual <c>bin/&lt;configuration&gt;/&lt;tfm&gt;/</c>.
/// </summary>
public sealed record BuiltProject(string ProjectDirectory, string AssemblyPath, int? HttpPort, IReadOnlyDictionary<string, string> Environment)
{
    /// <summary>
    /// The built project at <paramref name="projectPath"/> (its .csproj or its folder), or null when its assembly is not
    /// where the AppHost's configuration puts it (then the project is run the usual way, with <c>dotnet run</c>).
    /// </summary>
    public static BuiltProject? Find(string projectPath, Assembly appHost)
    {
        ArgumentNullException.ThrowIfNull(appHost);
        var directory = Directory.Exists(projectPath) ? projectPath : Path.GetDirectoryName(projectPath)!;
        var file = Directory.Exists(projectPath) ? Directory.GetFiles(projectPath, "*.csproj").SingleOrDefault() : projectPath;
        var configuration = appHost.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration;
        var framework = FrameworkFolder(appHost.GetCustomAttribute<TargetFrameworkAttribute>()?.FrameworkName);
        if (file is null || configuration is null || framework is null)
        {
            return null;
        }

        var assembly = Path.Combine(directory, "bin", configuration, framework, Path.GetFileNameWithoutExtension(file) + ".dll");
        if (!File.Exists(assembly))
        {
            return null;
        }

        var (port, environment) = HttpProfileOf(directory);
        return new BuiltProject(directory, assembly, port, environment);
    }

    // ".NETCoreApp,Version=v10.0" → "net10.0"
    private static string? FrameworkFolder(string? frameworkName) =>
        frameworkName is not null && frameworkName.StartsWith(".NETCoreApp,Version=v", StringComparison.Ordinal)
            ? "net" + frameworkName[".NETCoreApp,Version=v".Length..]
            : null;

    // The port of the "http" profile's applicationUrl in Properties/launchSettings.json and its environment variables,
    // as `dotnet run` would use them.
    private static (int? Port, IReadOnlyDictionary<string, string> Environment) HttpProfileOf(string directory)
    {
        var settings = Path.Combine(directory, "Properties", "launchSettings.json");
        if (!File.Exists(settings))
        {
            return (null, new Dictionary<string, string>());
        }

        using var document = JsonDocument.Parse(
            File.ReadAllText(settings), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        if (!document.RootElement.TryGetProperty("profiles", out var profiles) || !profiles.TryGetProperty("http", out var http))
        {
            return (null, new Dictionary<string, string>());
        }

        int? port = http.TryGetProperty("applicationUrl", out var urls)
            && urls.GetString()?.Split(';').FirstOrDefault() is { } url
            && Uri.TryCreate(url, UriKind.Absolute, out var uri)
                ? uri.Port
                : null;
        var environment = http.TryGetProperty("environmentVariables", out var variables) && variables.ValueKind == JsonValueKind.Object
            ? variables.EnumerateObject().ToDictionary(v => v.Name, v => v.Value.GetString() ?? "")
            : [];
        return (port, environment);
    }
}
