using System.Diagnostics;
using System.Text;

namespace Agents.Coder.Safety;

/// <summary>What a command did: its exit code (null when it was killed at its time limit) and its output, bounded.</summary>
public sealed record CommandResult(int? ExitCode, bool TimedOut, string Output, TimeSpan Duration)
{
    public bool Succeeded => ExitCode == 0 && !TimedOut;
}

/// <summary>
/// Runs a shell command for the model (the repository's check): <c>/bin/sh -c</c> in the workspace, with an environment
/// that holds none of the agent's secrets (only PATH, HOME set to a private temporary folder, LANG and TMPDIR), a time
/// limit after which the whole process tree is killed, and its output (stdout and stderr together) cut to a bound.
/// </summary>
public static class CommandRunner
{
    /// <summary>Names of the only variables a command sees.</summary>
    public static readonly IReadOnlyList<string> AllowedVariables = ["PATH", "HOME", "LANG", "TMPDIR"];

    public static async Task<CommandResult> RunAsync(
        string command, string workingDirectory, TimeSpan timeout, int maxOutputChars, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(command);
        var home = Path.Combine(Path.GetTempPath(), "multiagent-coder-" + Guid.NewGuid().ToString("N"));
        var tmp = Path.Combine(home, "tmp");
        Directory.CreateDirectory(tmp);
        try
        {
            var start = new ProcessStartInfo("/bin/sh")
            {
                WorkingDirectory = workingDirectory,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = true,
                UseShellExecute = false,
            };
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add(command);
            start.Environment.Clear();
            start.Environment["PATH"] = Environment.GetEnvironmentVariable("PATH") ?? "/usr/local/bin:/usr/bin:/bin";
            start.Environment["HOME"] = home;
            start.Environment["LANG"] = "C.UTF-8";
            start.Environment["TMPDIR"] = tmp;

            var output = new BoundedOutput(maxOutputChars);
            var clock = Stopwatch.StartNew();
            using var process = new Process { StartInfo = start };
            process.Start();
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
