using System.Text.Json;
using System.Text.Json.Nodes;
using Aspire.Hosting.ApplicationModel;
using MultiAgent.Hosting.Local;

namespace MultiAgent.Hosting.Join;

/// <summary>
/// What an agent host needs to join a running system: its NATS servers (every node of a cluster), its database, the NATS
/// passwords of the agent users (and of the AppHost user, which announces restarts), the folders local repositories lie in
/// and the streams' replica count. The system's AppHost writes it (<see cref="PathIn"/>, mode 0600) once NATS is up; an
/// AppHost started with <see cref="FileSetting"/> reads it and starts agents only (docs/scaling.md).
/// </summary>
/// <param name="Nats">nats://host:port of each server, separated by commas, without credentials.</param>
/// <param name="Database">The Npgsql connection string of the system database (with its password).</param>
/// <param name="Passwords">The NATS password of each user the file gives, by user name.</param>
/// <param name="LocalRepositoryRoots">The folders local repositories must lie in (on a shared file system for a host elsewhere).</param>
/// <param name="StreamReplicas">Copies of each stream the agents keep (the cluster's, at most 3).</param>
public sealed record JoinFile(
    string Nats, string Database, IReadOnlyDictionary<string, string> Passwords, IReadOnlyList<string> LocalRepositoryRoots, int StreamReplicas)
{
    /// <summary>The AppHost setting naming a join file: the AppHost then starts agents only, against that system.</summary>
    public const string FileSetting = LocalInfrastructureOptions.JoinFileSetting;

    /// <summary>Where a system's AppHost writes its join file: <c>&lt;DataRoot&gt;/join.json</c>.</summary>
    public static string PathIn(LocalInfrastructureOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Path.Combine(options.DataRoot, "join.json");
    }

    /// <summary>The NATS URLs, one per server.</summary>
    public IReadOnlyList<string> NatsUrls => UrlsIn(Nats);

    private static string[] UrlsIn(string nats) => nats.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>
    /// <c>nats://user:password@host:port</c> for each server, separated by commas: the connection string of NATS user
    /// <paramref name="user"/>, with its password a (secret) parameter.
    /// </summary>
    public ReferenceExpression ConnectionStringFor(string user, ParameterResource password)
    {
        var expression = new ReferenceExpressionBuilder();
        foreach (var url in NatsUrls)
        {
            if (!expression.IsEmpty)
            {
                expression.AppendLiteral(",");
            }

            var address = new Uri(url);
            var scheme = address.Scheme;
            var hostAndPort = $"{address.Host}:{address.Port}";
            expression.Append($"{scheme}://{user}:{password}@{hostAndPort}");
        }

        return expression.Build();
    }

    public string ToJson() => new JsonObject
    {
        ["nats"] = Nats,
        ["database"] = Database,
        ["passwords"] = new JsonObject(Passwords.Select(pair => KeyValuePair.Create(pair.Key, (JsonNode?)JsonValue.Create(pair.Value)))),
        ["localRepositoryRoots"] = new JsonArray([.. LocalRepositoryRoots.Select(root => JsonValue.Create(root))]),
        ["streamReplicas"] = StreamReplicas,
    }.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";

    /// <summary>Reads and checks a join file; what is wrong with it is said in the exception, never its secrets.</summary>
    /// <exception cref="LocalPrerequisiteException">The file is missing, unreadable, or lacks something.</exception>
    public static JoinFile Read(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        JsonObject json;
        try
        {
            json = JsonNode.Parse(File.ReadAllText(path)) as JsonObject
                ?? throw new LocalPrerequisiteException($"The join file {path} does not hold a JSON object.");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new LocalPrerequisiteException($"Cannot read the join file {path}: {ex.Message}");
        }
        catch (JsonException)
        {
            throw new LocalPrerequisiteException($"The join file {path} is not JSON (it is written by the system's AppHost as <DataRoot>/join.json).");
        }

        string Required(string name) =>
            json[name] is JsonValue value && value.TryGetValue<string>(out var text) && !string.IsNullOrWhiteSpace(text)
                ? text
                : throw new LocalPrerequisiteException($"The join file {path} has no \"{name}\".");

        var nats = Required("nats");
        foreach (var url in UrlsIn(nats))
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("nats" or "tls") || uri.Port < 0 || uri.UserInfo.Length > 0)
            {
                throw new LocalPrerequisiteException(
                    $"The join file {path}: \"nats\" must list nats://host:port addresses without credentials, separated by commas.");
            }
        }

        var passwords = (json["passwords"] as JsonObject ?? throw new LocalPrerequisiteException($"The join file {path} has no \"passwords\"."))
            .Where(pair => pair.Value is JsonValue value && value.TryGetValue<string>(out var text) && text.Length > 0)
            .ToDictionary(pair => pair.Key, pair => pair.Value!.GetValue<string>(), StringComparer.Ordinal);
        List<string> roots = json["localRepositoryRoots"] switch
        {
            null => [],
            JsonArray list when list.All(root => root is JsonValue value && value.TryGetValue<string>(out var text) && !string.IsNullOrWhiteSpace(text))
                => [.. list.Select(root => root!.GetValue<string>())],
            _ => throw new LocalPrerequisiteException($"The join file {path}: \"localRepositoryRoots\" must be a list of folder paths."),
        };
        var replicas = json["streamReplicas"] is JsonValue count && count.TryGetValue<int>(out var number) ? number : 1;
        if (replicas is < 1 or > 5)
        {
            throw new LocalPrerequisiteException($"The join file {path}: \"streamReplicas\" must be between 1 and 5.");
        }

        return new JoinFile(nats, Required("database"), passwords, roots, replicas);
    }

    /// <summary>The password of NATS user <paramref name="user"/>.</summary>
    /// <exception cref="LocalPrerequisiteException">The file gives none (a host may be given only the users it runs).</exception>
    public string PasswordOf(string user, string path) =>
        Passwords.TryGetValue(user, out var password)
            ? password
            : throw new LocalPrerequisiteException(
                $"The join file {path} gives no password for the NATS user '{user}': it cannot start that agent.");
}
