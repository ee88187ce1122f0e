using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using MultiAgent.Cli;

namespace MultiAgent.Testing;

/// <summary>What one in-process run of the CLI produced.</summary>
public sealed record CliResult(int ExitCode, string Stdout, string Stderr, TimeSpan Elapsed)
{
    public override string ToString() => $"exit {ExitCode} after {Elapsed.TotalSeconds:0.0}s; stdout: {Stdout}; stderr: {Stderr}";
}

/// <summary>
/// Runs <see cref="CliApp"/> in-process with captured output and an environment of its own: by default a HOME with no
/// config file and nothing else, so that neither the machine's config nor its variables leak in.
/// </summary>
public static partial class CliRunner
{
    /// <summary>A home folder without a config file.</summary>
    public static string EmptyHome { get; } = CreateHome();

    public static Dictionary<string, string?> Environment(params (string Name, string? Value)[] variables)
    {
        var environment = new Dictionary<string, string?> { ["HOME"] = EmptyHome };
        foreach (var (name, value) in variables)
        {
            environment[name] = value;
        }

        return environment;
    }

    public static Task<CliResult> RunAsync(params string[] args) => RunAsync(args, null);

    /// <summary>Runs a command against the NATS at <paramref name="natsUrl"/> (with a 10 s timeout).</summary>
    public static Task<CliResult> RunOnAsync(string natsUrl, params string[] args) =>
        RunAsync([.. args, "--nats", natsUrl, "--timeout", "10"], null);

    public static async Task<CliResult> RunAsync(
        string[] args, IDictionary<string, string?>? environment, CliTerminal terminal = default, CancellationToken cancellationToken = default,
        TextWriter? stdout = null)
    {
        var output = stdout ?? new LockedStringWriter();
        var errors = new LockedStringWriter();
        var clock = Stopwatch.StartNew();
        var exitCode = await CliApp.RunAsync(args, output, errors, environment ?? Environment(), terminal, cancellationToken);
        return new CliResult(exitCode, output.ToString()!, errors.ToString(), clock.Elapsed);
    }

    /// <summary>Whether the text holds an ANSI escape sequence (CSI or OSC).</summary>
    public static bool HasAnsi(string text) => AnsiEscape().IsMatch(text);

    [GeneratedRegex(@"\x1b[\[\]]")]
    private static partial Regex AnsiEscape();

    private static string CreateHome()
    {
        var home = Path.Combine(Path.GetTempPath(), "multiagent-cli-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(home);
        return home;
    }
}

/// <summary>A string writer that can be read while another task writes to it (watch runs in the background).</summary>
public sealed class LockedStringWriter : StringWriter
{
    private readonly Lock _lock = new();

    public override Encoding Encoding => Encoding.UTF8;

    public override void Write(char value)
    {
        lock (_lock)
        {
            base.Write(value);
        }
    }

    public override void Write(char[] buffer, int index, int count)
    {
        lock (_lock)
        {
            base.Write(buffer, index, count);
        }
    }

    public override void Write(string? value)
    {
        lock (_lock)
        {
            base.Write(value);
        }
    }

    public override void Write(ReadOnlySpan<char> buffer)
    {
        lock (_lock)
        {
            base.Write(buffer);
        }
    }

    public override void WriteLine(string? value)
    {
        lock (_lock)
        {
            base.WriteLine(value);
        }
    }

    public override void WriteLine(ReadOnlySpan<char> buffer)
    {
        lock (_lock)
        {
            base.WriteLine(buffer);
        }
    }

    public override string ToString()
    {
        lock (_lock)
        {
            return base.ToString();
        }
    }
}
