using System.Globalization;
using Agents.Coder.Safety;
using Microsoft.Extensions.Options;

namespace Agents.Coder.Sandbox;

/// <summary>
/// Runs the repository's check isolated from the agent: with bubblewrap where it works (own PID, network, IPC, UTS,
/// mount and user namespaces; only /usr, the essentials of /etc and the workspace visible, the workspace's
/// <c>.git</c> read-only; uid 65534; CPU, address-space, process and file-size limits), else with the weaker setpriv
/// fallback (uid 65534, the limits, own PID/network namespaces; the whole file system visible with nobody's rights),
/// else not at all unless <see cref="SandboxMode.None"/> is set. What is in force is probed once, on first use.
/// </summary>
public sealed partial class CheckSandbox
{
    private static readonly TimeSpan ProbeLimit = TimeSpan.FromSeconds(30);

    private readonly SandboxMode _mode;
    private readonly CheckSandboxOptions _options;
    private readonly SystemTools _tools;
    private readonly ILogger _logger;
    private readonly (int UserId, int GroupId) _agent = SystemTools.CurrentIds();
    private readonly IReadOnlyList<Toolchain> _toolchains = Toolchain.Discover();
    private readonly Lazy<Task<Resolved>> _resolved;

    public CheckSandbox(IOptions<CoderOptions> options, ILogger<CheckSandbox>? logger = null)
        : this(options?.Value.Sandbox ?? SandboxMode.Auto, options?.Value.CheckSandbox ?? new CheckSandboxOptions(), logger)
    {
    }

    public CheckSandbox(SandboxMode mode, CheckSandboxOptions options, ILogger? logger = null, SystemTools? tools = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _mode = mode;
        _options = options;
        _tools = tools ?? SystemTools.Discover();
        _logger = logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
        _resolved = new Lazy<Task<Resolved>>(() => ResolveAsync(CancellationToken.None));
    }

    private bool IsRoot => _agent.UserId == 0;

    /// <summary>The isolation checks run under (probed on the first call, then remembered).</summary>
    public async Task<SandboxIsolation> IsolationAsync() => (await _resolved.Value).Isolation;

    /// <summary>
    /// Runs <c>/bin/sh -c <paramref name="command"/></c> in <paramref name="workspace"/> inside the sandbox; a result
    /// with <see cref="CommandResult.RefusedReason"/> when no sandbox is available (and none was not set on purpose).
    /// </summary>
    public async Task<CommandResult> RunAsync(
        string command, string workspace, TimeSpan timeout, int maxOutputChars, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(command);
        workspace = Path.GetFullPath(workspace).TrimEnd('/');
        var resolved = await _resolved.Value;
        switch (resolved.Isolation.Kind)
        {
            case IsolationKind.None:
                return await CommandRunner.RunAsync(command, workspace, timeout, maxOutputChars, cancellationToken);
            case IsolationKind.Refused:
                return CommandResult.Refused("the check was not run: " + resolved.Isolation.Description);
        }

        if (IsRoot && WorkspaceHandover.Unreachable(workspace) is { } unreachable)
        {
            return CommandResult.Refused("the check was not run: " + unreachable);
        }

        var handedOver = false;
        string? home = null;
        try
        {
            if (IsRoot)
            {
                if (await WorkspaceHandover.GiveAsync(_tools, workspace, cancellationToken) is { } failed)
                {
                    return CommandResult.Refused("the check was not run: " + failed);
                }

                handedOver = true;
            }

            if (resolved.Isolation.Kind == IsolationKind.Bubblewrap)
            {
                var args = SandboxCommandLine.Bubblewrap(_tools, _options, workspace, command, dropToNobody: IsRoot, _toolchains);
                return await CommandRunner.RunProcessAsync(args[0], [.. args.Skip(1)], Empty, workspace, timeout, maxOutputChars, cancellationToken);
            }

            home = await PrivateHomeAsync();
            var fallback = SandboxCommandLine.Setpriv(_tools, _options, command, resolved.Unshare);
            var environment = new Dictionary<string, string>
            {
                ["PATH"] = _options.Path,
                ["HOME"] = home,
                ["LANG"] = "C.UTF-8",
                ["TMPDIR"] = Path.Combine(home, "tmp"),
            };
            return await CommandRunner.RunProcessAsync(fallback[0], [.. fallback.Skip(1)], environment, workspace, timeout, maxOutputChars, cancellationToken);
        }
        finally
        {
            if (handedOver && await WorkspaceHandover.TakeBackAsync(_tools, workspace, _agent.UserId, _agent.GroupId, CancellationToken.None) is { } failed)
            {
                LogTakeBackFailed(workspace, failed);
            }

            if (home is not null)
            {
                DeleteQuietly(home);
            }
        }
    }

    private static readonly IReadOnlyDictionary<string, string> Empty = new Dictionary<string, string>();

    /// <summary>HOME for the fallback: a fresh folder only uid 65534 (and root) can enter.</summary>
    private async Task<string> PrivateHomeAsync()
    {
        var home = Path.Combine(Path.GetTempPath(), "multiagent-check-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(home, "tmp"));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(home, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        var args = new List<string> { "-R", "-h", string.Create(CultureInfo.InvariantCulture, $"{CheckSandboxOptions.SandboxUserId}:{CheckSandboxOptions.SandboxUserId}"), "--", home };
        var chown = await CommandRunner.RunProcessAsync(_tools.Chown!, args, Empty, home, TimeSpan.FromSeconds(30), 1000, CancellationToken.None);
        return chown.Succeeded ? home : throw new IOException($"could not give the check's home folder to uid {CheckSandboxOptions.SandboxUserId}: {chown.Output}");
    }

    private static void DeleteQuietly(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A leftover under the temp folder.
        }
    }

    private async Task<Resolved> ResolveAsync(CancellationToken cancellationToken)
    {
        var resolved = await ProbeAsync(cancellationToken);
        if (resolved.Isolation.Kind is IsolationKind.Bubblewrap or IsolationKind.Setpriv)
        {
            LogIsolation(resolved.Isolation.Kind, resolved.Isolation.Description);
        }
        else
        {
            LogNoIsolation(resolved.Isolation.Kind, resolved.Isolation.Description);
        }

        return resolved;
    }

    private async Task<Resolved> ProbeAsync(CancellationToken cancellationToken)
    {
        if (_mode == SandboxMode.None)
        {
            return new(new(IsolationKind.None,
                "checks are not sandboxed (MultiAgent:Coder:Sandbox=none): they run as the agent's user, see its files, processes and network"), false);
        }

        var reasons = new List<string>();
        if (_mode is SandboxMode.Auto or SandboxMode.Bubblewrap)
        {
            if (await ProbeBubblewrapAsync(cancellationToken) is { } refusal)
            {
                reasons.Add(refusal);
            }
            else
            {
                return new(new(IsolationKind.Bubblewrap, "bubblewrap: " + Limits() + (_options.AllowNetwork ? ", network allowed" : ", no network")), false);
            }
        }

        if (_mode is SandboxMode.Auto or SandboxMode.Setpriv)
        {
            if (SetprivMissing() is { } missing)
            {
                reasons.Add(missing);
            }
            else
            {
                var unshare = _tools.Unshare is not null && await SucceedsAsync(SandboxCommandLine.UnshareProbe(_tools), cancellationToken) is null;
                var namespaces = unshare
                    ? _options.AllowNetwork ? "own PID, mount, IPC and UTS namespaces, network allowed" : "own PID, mount, IPC, UTS and network namespaces"
                    : "no namespaces (unshare failed), network and other processes visible";
                return new(new(IsolationKind.Setpriv,
                    $"setpriv fallback (weaker: the whole file system is visible with nobody's rights): {Limits()}, {namespaces}"), unshare);
            }
        }

        return new(new(IsolationKind.Refused,
            "no sandbox is available for checks (" + string.Join("; ", reasons)
            + "); install bubblewrap, run the Coder as root for the setpriv fallback, or set MultiAgent:Coder:Sandbox=none to run checks without isolation"), false);
    }

    private string Limits() => string.Create(CultureInfo.InvariantCulture,
        $"uid {CheckSandboxOptions.SandboxUserId}, CPU {_options.CpuTime.TotalSeconds:0} s, address space {_options.MaxAddressSpaceBytes / (1024 * 1024)} MiB, "
        + $"{_options.MaxProcesses} processes, files up to {_options.MaxFileSizeBytes / (1024 * 1024)} MiB");

    private string? SetprivMissing() =>
        !IsRoot ? "the setpriv fallback needs the Coder to run as root"
        : _tools.Setpriv is null ? "setpriv is not installed"
        : _tools.Prlimit is null ? "prlimit is not installed"
        : _tools.Chown is null || _tools.Find is null ? "chown or find is not installed"
        : null;

    /// <summary>Null when a bubblewrap sandbox (as it would be built for a check) runs <c>true</c>; else why not.</summary>
    private async Task<string?> ProbeBubblewrapAsync(CancellationToken cancellationToken)
    {
        if (_tools.Bubblewrap is null)
        {
            return "bubblewrap (bwrap) is not installed";
        }

        if (_tools.Prlimit is null || (IsRoot && (_tools.Setpriv is null || _tools.Chown is null || _tools.Find is null)))
        {
            return "prlimit, setpriv, chown or find is missing";
        }

        var folder = Path.Combine(Path.GetTempPath(), "multiagent-sandbox-probe-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            var args = SandboxCommandLine.Bubblewrap(_tools, _options, folder, "true", dropToNobody: IsRoot, _toolchains);
            return await SucceedsAsync(args, cancellationToken) is { } failure ? "bubblewrap cannot run here: " + failure : null;
        }
        finally
        {
            DeleteQuietly(folder);
        }
    }

    /// <summary>Null when the command line exits 0; else its output.</summary>
    private static async Task<string?> SucceedsAsync(IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        try
        {
            var result = await CommandRunner.RunProcessAsync(args[0], [.. args.Skip(1)], Empty, "/", ProbeLimit, 2000, cancellationToken);
            return result.Succeeded ? null : string.Create(CultureInfo.InvariantCulture, $"exit code {result.ExitCode}: {result.Output.Trim()}");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return ex.Message;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Repository checks run sandboxed ({Isolation}): {Description}")]
    private partial void LogIsolation(IsolationKind isolation, string description);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Repository checks are not sandboxed ({Isolation}): {Description}")]
    private partial void LogNoIsolation(IsolationKind isolation, string description);

    [LoggerMessage(Level = LogLevel.Error, Message = "The workspace {Workspace} could not be given back to the agent after the check: {Failure}")]
    private partial void LogTakeBackFailed(string workspace, string failure);

    private sealed record Resolved(SandboxIsolation Isolation, bool Unshare);
}
