using MultiAgent.Secrets;
using MultiAgent.Nats;
using NATS.Client.Core;

namespace MultiAgent.Cli.Connection;

/// <summary>
/// Where and how the CLI connects, resolved in this order: <c>--nats</c>, <c>$MULTIAGENT_NATS_URL</c>, the config file,
/// <c>nats://localhost:4222</c>; the creds file from <c>--creds</c>, <c>$MULTIAGENT_NATS_CREDS</c>, the config file.
/// The config file is <c>--config</c>, <c>$MULTIAGENT_CONFIG</c> or the default one (<see cref="CliConfigFile"/>).
/// Credentials in the URL win over the config file's user/password/token.
/// </summary>
internal sealed class NatsSettings
{
    public const string DefaultUrl = "nats://localhost:4222";
    public const string UrlVariable = "MULTIAGENT_NATS_URL";
    public const string CredsVariable = "MULTIAGENT_NATS_CREDS";
    public static readonly TimeSpan MaxTimeout = TimeSpan.FromMinutes(10);

    private NatsSettings(NatsOpts options, string source, TimeSpan timeout, SecretRedactor redactor, CliConfigFile config)
    {
        Options = options;
        Source = source;
        Timeout = timeout;
        Redactor = redactor;
        Config = config;
    }

    /// <summary>The config file the settings were read from (<see cref="CliConfigFile.None"/> when there is none).</summary>
    public CliConfigFile Config { get; }

    /// <summary>Client options: the URL without credentials, auth options, timeouts.</summary>
    public NatsOpts Options { get; }

    /// <summary>The server URL(s) without credentials: safe to print.</summary>
    public string DisplayUrl => Options.Url;

    /// <summary>Where the URL came from (for messages): "--nats", "$MULTIAGENT_NATS_URL", the config file, or "default".</summary>
    public string Source { get; }

    /// <summary>Connection and query timeout.</summary>
    public TimeSpan Timeout { get; }

    /// <summary>Removes every secret these settings hold from a text.</summary>
    public SecretRedactor Redactor { get; }

    /// <summary>Resolves the settings. Reads the config file; touches no network.</summary>
    /// <exception cref="CliException">A usage error: a malformed URL, a missing creds file, a bad timeout or config file.</exception>
    public static NatsSettings Resolve(
        string? natsOption, string? credsOption, double timeoutSeconds, IReadOnlyDictionary<string, string?> environment,
        string? configOption = null)
    {
        // Secrets given on the command line or in the environment are redacted from messages even before they are parsed.
        var redactor = new SecretRedactor();
        redactor.RegisterUrlCredentials(natsOption);
        var envUrl = Get(environment, UrlVariable);
        redactor.RegisterUrlCredentials(envUrl);

        if (double.IsNaN(timeoutSeconds) || timeoutSeconds <= 0 || timeoutSeconds > MaxTimeout.TotalSeconds)
        {
            throw CliException.Usage($"--timeout must be between 0 and {MaxTimeout.TotalSeconds:0} seconds (was {timeoutSeconds})");
        }

        var timeout = TimeSpan.FromSeconds(timeoutSeconds);
        var config = CliConfigFile.Resolve(configOption, environment);
        redactor.RegisterUrlCredentials(config.Nats);
        redactor.Register(config.Password);
        redactor.Register(config.Token);

        var (url, source) =
            !string.IsNullOrWhiteSpace(natsOption) ? (natsOption, "--nats")
            : envUrl is not null ? (envUrl, "$" + UrlVariable)
            : config.Nats is not null ? (config.Nats, config.Path!)
            : (DefaultUrl, "default");

        var credsFile = NullIfBlank(credsOption) ?? Get(environment, CredsVariable) ?? config.CredsFile;
        if (credsFile is not null)
        {
            credsFile = ExpandHome(credsFile, environment);
            if (!File.Exists(credsFile))
            {
                throw CliException.Usage($"the NATS creds file '{credsFile}' does not exist");
            }
        }

        var template = NatsOpts.Default with
        {
            Name = "multi-agent-cli",
            ConnectTimeout = timeout,
            RequestTimeout = timeout,
            CommandTimeout = timeout,
            AuthOpts = NatsAuthOpts.Default with
            {
                Username = config.User,
                Password = config.Password,
                Token = config.Token,
                CredsFile = credsFile,
            },
        };

        NatsOpts options;
        try
        {
            options = NatsConnectionString.ToOptions(url, template);
        }
        catch (FormatException ex)
        {
            throw CliException.Usage($"{source}: {redactor.Redact(ex.Message)}");
        }

        redactor.Register(options.AuthOpts.Password);
        redactor.Register(options.AuthOpts.Token);
        return new NatsSettings(options, source, timeout, redactor, config);
    }

    private static string? Get(IReadOnlyDictionary<string, string?> environment, string name) =>
        environment.TryGetValue(name, out var value) ? NullIfBlank(value) : null;

    private static string? NullIfBlank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static string ExpandHome(string path, IReadOnlyDictionary<string, string?> environment)
    {
        if (path != "~" && !path.StartsWith("~/", StringComparison.Ordinal))
        {
            return Path.GetFullPath(path);
        }

        var home = Get(environment, "HOME") ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return Path.Combine(home, path.Length > 2 ? path[2..] : "");
    }
}
