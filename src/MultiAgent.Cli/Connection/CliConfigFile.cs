using System.Text.Json;

namespace MultiAgent.Cli.Connection;

/// <summary>
/// The config file: <c>--config</c>, else <c>$MULTIAGENT_CONFIG</c>, else the optional
/// <c>~/.config/multi-agent/config.json</c> (or <c>$XDG_CONFIG_HOME/multi-agent/config.json</c>):
/// <c>{"nats": "nats://host:4222", "credsFile": "…", "user": "…", "password": "…", "token": "…",
/// "localRepositoryRoots": ["/var/lib/multiagent/repos"]}</c>, every field optional.
/// A file named by <c>--config</c> or <c>$MULTIAGENT_CONFIG</c> must exist; the default one may be missing.
/// The AppHost writes one per CLI user in run mode (<c>&lt;DataRoot&gt;/cli/operator.json</c>, <c>viewer.json</c>).
/// </summary>
/// <param name="LocalRepositoryRoots">
/// The folders the system takes local repositories from (its <c>MultiAgent:LocalGit:AllowedRoots</c>); null when the
/// file does not say, and then the CLI does not check local paths (the Repo Manager still refuses).
/// </param>
internal sealed record CliConfigFile(
    string? Path, string? Nats, string? CredsFile, string? User, string? Password, string? Token, IReadOnlyList<string>? LocalRepositoryRoots = null)
{
    public const string Variable = "MULTIAGENT_CONFIG";

    /// <summary>The field that lists the allowed local repository roots.</summary>
    public const string LocalRepositoryRootsField = "localRepositoryRoots";

    public static CliConfigFile None { get; } = new(null, null, null, null, null, null);

    /// <summary>
    /// Reads the config file chosen by <paramref name="configOption"/> (<c>--config</c>) or <c>$MULTIAGENT_CONFIG</c>,
    /// which must exist, else the default one if it exists.
    /// </summary>
    /// <exception cref="CliException">A named file is missing, or a file cannot be read or is not the expected JSON.</exception>
    public static CliConfigFile Resolve(string? configOption, IReadOnlyDictionary<string, string?> environment)
    {
        var (named, source) = !string.IsNullOrWhiteSpace(configOption) ? (configOption.Trim(), "--config")
            : environment.TryGetValue(Variable, out var fromEnvironment) && !string.IsNullOrWhiteSpace(fromEnvironment)
                ? (fromEnvironment.Trim(), "$" + Variable)
                : (null, null);
        if (named is null)
        {
            return Load(Location(environment));
        }

        var path = System.IO.Path.GetFullPath(named);
        return File.Exists(path)
            ? Load(path)
            : throw CliException.Usage($"{source}: the config file '{path}' does not exist");
    }

    /// <summary>Where the config file is looked for, from the given environment.</summary>
    public static string Location(IReadOnlyDictionary<string, string?> environment)
    {
        if (environment.TryGetValue("XDG_CONFIG_HOME", out var xdg) && !string.IsNullOrWhiteSpace(xdg))
        {
            return System.IO.Path.Combine(xdg, "multi-agent", "config.json");
        }

        var home = environment.TryGetValue("HOME", out var h) && !string.IsNullOrWhiteSpace(h)
            ? h
            : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return System.IO.Path.Combine(home, ".config", "multi-agent", "config.json");
    }

    /// <summary>Reads the file if it exists; <see cref="None"/> if it does not.</summary>
    /// <exception cref="CliException">The file exists but cannot be read or is not the expected JSON (a usage error).</exception>
    public static CliConfigFile Load(string path)
    {
        if (!File.Exists(path))
        {
            return None;
        }

        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path), new JsonDocumentOptions
            {
                CommentHandling = JsonCommentHandling.Skip,
                AllowTrailingCommas = true,
            });
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw CliException.Usage($"config file {path} must hold a JSON object");
            }

            var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
            List<string>? roots = null;
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.Name.Equals(LocalRepositoryRootsField, StringComparison.OrdinalIgnoreCase))
                {
                    roots = Roots(path, property.Value);
                    continue;
                }

                values[property.Name] = property.Value.ValueKind switch
                {
                    JsonValueKind.String => property.Value.GetString(),
                    JsonValueKind.Null => null,
                    // Values are never echoed: the field could be a password.
                    _ => throw CliException.Usage($"config file {path}: '{property.Name}' must be a string"),
                };
            }

            string? Get(string name) => values.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value) ? value : null;
            return new CliConfigFile(path, Get("nats"), Get("credsFile"), Get("user"), Get("password"), Get("token"), roots);
        }
        catch (JsonException ex)
        {
            // The parser's message names a position, never the content.
            throw CliException.Usage($"config file {path} is not valid JSON: {ex.Message}");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw CliException.Usage($"cannot read config file {path}: {ex.Message}");
        }
    }

    /// <summary><c>localRepositoryRoots</c>: an array of paths (null: not given).</summary>
    private static List<string>? Roots(string path, JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Null => null,
        JsonValueKind.Array when value.EnumerateArray().All(item => item.ValueKind == JsonValueKind.String) =>
            [.. value.EnumerateArray().Select(item => item.GetString()!).Where(root => !string.IsNullOrWhiteSpace(root))],
        _ => throw CliException.Usage($"config file {path}: '{LocalRepositoryRootsField}' must be a list of folders ([\"/var/lib/multiagent/repos\"])"),
    };
}
