using MultiAgent.Contracts;
using NATS.Client.Core;

namespace MultiAgent.Nats;

/// <summary>
/// Turns a NATS connection string into client options. Credentials in the URL (nats://user:password@host or
/// nats://token@host) become auth options and are removed from the URL, so the URL can be logged. With a user name, the
/// inbox prefix becomes that user's (<see cref="Subjects.InboxPrefix"/>), the only inboxes the server lets it read.
/// </summary>
public static class NatsConnectionString
{
    /// <summary>The schemes a NATS client speaks, and the port each one means when none is given.</summary>
    private static readonly Dictionary<string, int> DefaultPorts = new(StringComparer.OrdinalIgnoreCase)
    {
        ["nats"] = 4222,
        ["tls"] = 4222,
        ["ws"] = 80,
        ["wss"] = 443,
    };

    public static NatsOpts ToOptions(string connectionString, NatsOpts? template = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var options = template ?? NatsOpts.Default;
        var urls = new List<string>();
        var auth = options.AuthOpts;
        foreach (var part in connectionString.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var raw = part.Contains("://", StringComparison.Ordinal) ? part : "nats://" + part;
            if (!Uri.TryCreate(raw, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
            {
                throw new FormatException($"'{Redact(part)}' is not a NATS URL (expected nats://host:port).");
            }

            if (!DefaultPorts.TryGetValue(uri.Scheme, out var defaultPort))
            {
                throw new FormatException(
                    $"'{Redact(part)}' is not a NATS URL: the scheme must be nats, tls, ws or wss, not {uri.Scheme}.");
            }

            if (!string.IsNullOrEmpty(uri.UserInfo))
            {
                var separator = uri.UserInfo.IndexOf(':', StringComparison.Ordinal);
                auth = separator < 0
                    ? auth with { Token = Uri.UnescapeDataString(uri.UserInfo) }
                    : auth with
                    {
                        Username = Uri.UnescapeDataString(uri.UserInfo[..separator]),
                        Password = Uri.UnescapeDataString(uri.UserInfo[(separator + 1)..]),
                    };
            }

            var port = uri.Port < 0 ? defaultPort : uri.Port;
            urls.Add($"{uri.Scheme}://{uri.Host}:{port}");
        }

        // Each user reads replies on inboxes of its own; the server allows it no other (see NatsUsers).
        return options with
        {
            Url = string.Join(',', urls),
            AuthOpts = auth,
            InboxPrefix = Subjects.InboxPrefix(auth.Username) ?? options.InboxPrefix,
        };
    }

    /// <summary>The connection string with any credentials replaced by "***".</summary>
    public static string Redact(string connectionString) =>
        string.Join(',', connectionString.Split(',').Select(part =>
        {
            var scheme = part.IndexOf("://", StringComparison.Ordinal);
            var at = part.LastIndexOf('@');
            return at < 0 ? part : (scheme < 0 ? "" : part[..(scheme + 3)]) + "***" + part[at..];
        }));
}
