using System.Globalization;

namespace MultiAgent.Repositories.Git;

/// <summary>
/// The fixed environment every git command runs in: no prompts, no system or global configuration, no inherited
/// repository location, tracing or identity variables; identity, headers and extra configuration per command.
/// Every command also runs with hooks switched off (<c>core.hooksPath=/dev/null</c>) and without a file-system monitor
/// (<c>core.fsmonitor=false</c>): a repository's content, or a check run in a workspace, cannot get git to run a
/// program of its choosing as the agent.
/// </summary>
internal static class GitEnvironment
{
    /// <summary>Inherited variables that would point git at another repository, inject configuration or identity, or trace traffic.</summary>
    private static readonly string[] RemovedNames =
    [
        "GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY", "GIT_ALTERNATE_OBJECT_DIRECTORIES",
        "GIT_COMMON_DIR", "GIT_NAMESPACE", "GIT_PREFIX", "GIT_CEILING_DIRECTORIES", "GIT_DISCOVERY_ACROSS_FILESYSTEM",
        "GIT_CONFIG", "GIT_CONFIG_PARAMETERS", "GIT_CONFIG_SYSTEM", "GIT_CONFIG_COUNT", "GIT_CURL_VERBOSE",
        "GIT_ASKPASS", "SSH_ASKPASS", "GIT_SEQUENCE_EDITOR", "GIT_REFLOG_ACTION", "GIT_QUARANTINE_PATH", "LANGUAGE",
    ];

    /// <summary>Configuration every command gets first (command scope: it wins over the repository's own configuration).</summary>
    private static readonly KeyValuePair<string, string>[] Hardening =
    [
        new("core.hooksPath", "/dev/null"),
        new("core.fsmonitor", "false"),
    ];

    private static readonly string[] RemovedPrefixes =
        ["GIT_TRACE", "GIT_CONFIG_KEY_", "GIT_CONFIG_VALUE_", "GIT_AUTHOR_", "GIT_COMMITTER_"];

    public static void Apply(IDictionary<string, string?> environment, GitRunOptions run)
    {
        foreach (var name in environment.Keys.Where(IsRemoved).ToList())
        {
            environment.Remove(name);
        }

        environment["GIT_TERMINAL_PROMPT"] = "0";
        environment["GCM_INTERACTIVE"] = "never";
        environment["GIT_CONFIG_NOSYSTEM"] = "1";
        environment["GIT_CONFIG_GLOBAL"] = OperatingSystem.IsWindows() ? "NUL" : "/dev/null";
        environment["GIT_EDITOR"] = ":";
        environment["LC_ALL"] = "C";
        if (!environment.ContainsKey("GIT_SSH_COMMAND") && !environment.ContainsKey("GIT_SSH"))
        {
            environment["GIT_SSH_COMMAND"] = "ssh -o BatchMode=yes";
        }

        if (run.Identity is { } identity)
        {
            environment["GIT_AUTHOR_NAME"] = identity.Name;
            environment["GIT_AUTHOR_EMAIL"] = identity.Email;
            environment["GIT_COMMITTER_NAME"] = identity.Name;
            environment["GIT_COMMITTER_EMAIL"] = identity.Email;
        }

        var config = new List<KeyValuePair<string, string>>(Hardening);
        foreach (var (name, value) in run.HttpHeaders ?? new Dictionary<string, string>())
        {
            config.Add(new("http.extraHeader", $"{name}: {value}"));
        }

        config.AddRange(run.Config ?? []);
        environment["GIT_CONFIG_COUNT"] = config.Count.ToString(CultureInfo.InvariantCulture);
        for (var i = 0; i < config.Count; i++)
        {
            environment[$"GIT_CONFIG_KEY_{i}"] = config[i].Key;
            environment[$"GIT_CONFIG_VALUE_{i}"] = config[i].Value;
        }

        foreach (var (name, value) in run.Environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                environment.Remove(name);
            }
            else
            {
                environment[name] = value;
            }
        }
    }

    private static bool IsRemoved(string name) =>
        RemovedNames.Contains(name, StringComparer.OrdinalIgnoreCase)
        || RemovedPrefixes.Any(prefix => name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase));
}
