using System.Diagnostics;
using System.Text;
using MultiAgent.Contracts;

namespace Agents.Coder.Safety;

/// <summary>What a command did: its exit code (null when it was killed at its time limit) and its output, bounded.</summary>
public sealed record CommandResult(int? ExitCode, bool TimedOut, string Output, TimeSpan Duration)
{
    public bool Succeeded => ExitCode == 0 && !TimedOut;

    /// <summary>Why the command was not run at all (no sandbox could be had); null when it ran.</summary>
    public string? RefusedReason { get; init; }

    /// <summary>A command that was not run, and why.</summary>
    public static CommandResult Refused(string reason) => new(null, false, reason, TimeSpan.Zero) { RefusedReason = reason };
}

/// <summary>
/// Runs a command for the model (the repository's check) in the workspace, with an environment that holds none of the
/// agent's secrets, a time limit after which the whole process tree is killed, and its output (stdout and stderr
/// together) cut to a bound. <see cref="RunAsync"/> is the unsandboxed form (<c>/bin/sh -c</c> as the agent's user);
/// <see cref="Sandbox.CheckSandbox"/> runs the check through <see cref="RunProcessAsync"/> inside a sandbox.
/// </summary>
public static class CommandRunner
{
    /// <summary>Names of the only variables a command sees.</summary>
    public static readonly IReadOnlyList<string> AllowedVariables = ["PATH", "HOME", "LANG", "TMPDIR"];

    /// <summary>
    /// Runs <c>/bin/sh -c <paramref name="command"/></c> as the agent's own user, with only PATH, HOME (a private
    /// temporary folder), LANG and TMPDIR set: no isolation beyond the environment and the time limit.
    /// </summary>
    public static async Task<CommandResult> RunAsync(
        string command, string workingDirectory, TimeSpan timeout, int maxOutputChars, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(command);
        var home = Path.Combine(Path.GetTempPath(), "multiagent-coder-" + Guid.NewGuid().ToString("N"));
        var tmp = Path.Combine(home, "tmp");
        Directory.CreateDirectory(tmp);
        try
        {
            var environment = new Dictionary<string, string>
            {
                ["PATH"] = Environment.GetEnvironmentVariable("PATH") ?? "/usr/local/bin:/usr/bin:/bin",
                ["HOME"] = home,
                ["LANG"] = "C.UTF-8",
                ["TMPDIR"] = tmp,
            };
            return await RunProcessAsync("/bin/sh", ["-c", command], environment, workingDirectory, timeout, maxOutputChars, cancellationToken);
        }
        finally
        {
            try
            {
                Directory.Delete(home, recursive: true);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // A leftover under the temp folder.
            }
        }
    }

    /// <summary>
    /// Runs <paramref name="fileName"/> with <paramref name="arguments"/> (never through a shell) in
    /// <paramref name="workingDirectory"/>, with exactly <paramref name="environment"/>, stdin closed; after
    /// <paramref name="timeout"/> the whole process tree is killed and the result says so.
    /// </summary>
    public static async Task<CommandResult> RunProcessAsync(
        string fileName,
        IReadOnlyList<string> arguments,
        IReadOnlyDictionary<string, string> environment,
        string workingDirectory,
        TimeSpan timeout,
        int maxOutputChars,
        CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(fileName);
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentNullException.ThrowIfNull(environment);
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment.Clear();
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var output = new BoundedOutput(maxOutputChars);
        var clock = Stopwatch.StartNew();
        using var process = new Process { StartInfo = start };
        await StartOnOwnThreadAsync(process);
        process.StandardInput.Close();
        var readOut = PumpAsync(process.StandardOutput, output);
        var readErr = PumpAsync(process.StandardError, output);

        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        var timedOut = false;
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            timedOut = !cancellationToken.IsCancellationRequested;
            Kill(process);
            if (!timedOut)
            {
                throw;
            }
        }

        // A killed tree closes its pipes; a descendant that escaped it must not hold the result back for long.
        await Task.WhenAny(Task.WhenAll(readOut, readErr), Task.Delay(TimeSpan.FromSeconds(5), CancellationToken.None));
        clock.Stop();
        var text = output.ToString();
        if (timedOut)
        {
            text += $"\n[killed: the command ran longer than its time limit of {timeout.TotalSeconds:0} s]";
        }

        return new CommandResult(timedOut ? null : process.ExitCode, timedOut, text, clock.Elapsed);
    }

    /// <summary>
    /// Starts the process from a thread of its own that lives until the process exits. bubblewrap's
    /// <c>--die-with-parent</c> (PR_SET_PDEATHSIG) fires when the <em>thread</em> that forked it ends, not the agent: a
    /// thread-pool thread retired mid-check would kill the sandbox (measured: 1 probe in 40 died with SIGKILL under load).
    /// </summary>
    private static Task StartOnOwnThreadAsync(Process process)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                process.Start();
                WorkProcess.RunBelowTheAgent(process);
            }
            catch (Exception ex)
            {
                started.SetException(ex);
                return;
            }

            started.SetResult();
            try
            {
                process.WaitForExit();
            }
            catch (Exception ex) when (ex is InvalidOperationException or ObjectDisposedException or System.ComponentModel.Win32Exception)
            {
                // Disposed by the caller after a kill: the thread's work is done.
            }
        })
        {
            IsBackground = true,
            Name = "command " + Path.GetFileName(process.StartInfo.FileName),
        };
        thread.Start();
        return started.Task;
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // Already gone.
        }
    }

    private static async Task PumpAsync(StreamReader reader, BoundedOutput output)
    {
        var buffer = new char[4096];
        int read;
        while ((read = await reader.ReadAsync(buffer)) > 0)
        {
            output.Append(buffer.AsSpan(0, read));
        }
    }

    /// <summary>Keeps the first and the last characters of a long output; counts what was left out.</summary>
    private sealed class BoundedOutput(int max)
    {
        private readonly Lock _lock = new();
        private readonly StringBuilder _head = new();
        private readonly StringBuilder _tail = new();
        private long _dropped;

        public void Append(ReadOnlySpan<char> text)
        {
            lock (_lock)
            {
                var headRoom = (max / 2) - _head.Length;
                if (headRoom > 0)
                {
                    var take = Math.Min(headRoom, text.Length);
                    _head.Append(text[..take]);
                    text = text[take..];
                }

                _tail.Append(text);
                var tailMax = max - (max / 2);
                if (_tail.Length > tailMax)
                {
                    var excess = _tail.Length - tailMax;
                    _tail.Remove(0, excess);
                    _dropped += excess;
                }
            }
        }

        public override string ToString()
        {
            lock (_lock)
            {
                return _dropped == 0
                    ? _head.ToString() + _tail
                    : $"{_head}\n[... {_dropped} characters left out ...]\n{_tail}";
            }
        }
    }
}
