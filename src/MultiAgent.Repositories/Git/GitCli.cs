using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using MultiAgent.Contracts;
using MultiAgent.Contracts.Telemetry;
using MultiAgent.Secrets;

namespace MultiAgent.Repositories.Git;

/// <summary>
/// Runs the git command-line client: an argument list (never a shell string) in a working directory, in the fixed
/// environment of <see cref="GitEnvironment"/>, with a timeout and cancellation (the process tree is killed).
/// Output and messages pass through <see cref="SecretRedactor"/> with the run's secrets and header values. A failure
/// becomes a <see cref="RepositoryHostException"/> (GitFailed, or a more specific kind git's message makes clear)
/// carrying the redacted, truncated error output; a timeout is Unavailable.
/// </summary>
public sealed class GitCli(GitCliOptions? options = null)
{
    private readonly GitCliOptions _options = options ?? new GitCliOptions();

    /// <summary>Runs <c>git <paramref name="arguments"/></c> in <paramref name="workingDirectory"/>.</summary>
    public Task<GitResult> RunAsync(
        string workingDirectory, IReadOnlyList<string> arguments, CancellationToken cancellationToken = default) =>
        RunAsync(workingDirectory, arguments, GitRunOptions.Default, cancellationToken);

    /// <summary>Runs <c>git <paramref name="arguments"/></c> in <paramref name="workingDirectory"/> with per-command settings.</summary>
    public async Task<GitResult> RunAsync(
        string workingDirectory, IReadOnlyList<string> arguments, GitRunOptions run, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(workingDirectory);
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentNullException.ThrowIfNull(run);
        cancellationToken.ThrowIfCancellationRequested();

        // Git time of the task that runs it (WorkSpans), and a span in its trace.
        using var span = WorkSpans.Start(WorkSpans.Git, "git " + VerbOf(arguments));
        var secrets = SecretsOf(run);
        var description = Describe(arguments, secrets);
        var start = new ProcessStartInfo(_options.ExecutablePath)
        {
            WorkingDirectory = workingDirectory,
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        GitEnvironment.Apply(start.Environment, run);

        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (Exception ex) when (ex is Win32Exception or InvalidOperationException)
        {
            throw new RepositoryHostException(
                RepositoryErrorKind.GitFailed,
                $"{description} could not be started (is '{_options.ExecutablePath}' installed, and does '{workingDirectory}' exist?): {ex.Message}");
        }

        WorkProcess.RunBelowTheAgent(process);
        var output = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var error = process.StandardError.ReadToEndAsync(CancellationToken.None);

        var timeout = run.Timeout ?? _options.DefaultTimeout;
        using (var timer = new CancellationTokenSource(timeout))
        using (var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token))
        {
            try
            {
                await WriteInputAsync(process, run.StandardInput, linked.Token);
                await process.WaitForExitAsync(linked.Token);
            }
            catch (OperationCanceledException)
            {
                Kill(process);
                await DrainAsync(output, error);
                cancellationToken.ThrowIfCancellationRequested();
                throw new RepositoryHostException(
                    RepositoryErrorKind.Unavailable, $"{description} did not finish within {timeout.TotalSeconds:0.#}s and was stopped.");
            }
        }

        var result = new GitResult(
            process.ExitCode,
            secrets.Redact(await output) ?? "",
            secrets.Redact(await error) ?? "");
        if (result.Succeeded || !run.ThrowOnFailure)
        {
            return result;
        }

        var detail = GitFailure.Tail(result.Error.Length > 0 ? result.Error : result.Output, _options.MaxErrorLength);
        throw new RepositoryHostException(
            GitFailure.Classify(result.Error),
            $"{description} failed (exit code {result.ExitCode}): {(detail.Length > 0 ? detail : "no output")}");
    }

    /// <summary>
    /// A redactor for the run: its secrets, and the secrets each HTTP header carries (the whole <c>Name: value</c>
    /// line, the value, and each longer word of the value: the token of <c>Bearer token</c> or <c>Basic base64</c>).
    /// </summary>
    private static SecretRedactor SecretsOf(GitRunOptions run)
    {
        var secrets = new SecretRedactor(run.Secrets);
        foreach (var (name, value) in run.HttpHeaders ?? new Dictionary<string, string>())
        {
            secrets.Register($"{name}: {value}");
            secrets.Register(value);
            foreach (var word in value.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                secrets.Register(word);
            }
        }

        return secrets;
    }

    /// <summary>"git clone …" with the arguments redacted and shortened, for messages.</summary>
    private static string Describe(IReadOnlyList<string> arguments, SecretRedactor secrets)
    {
        var text = (secrets.Redact("git " + string.Join(' ', arguments)) ?? "").ReplaceLineEndings(" ");
        return text.Length <= 300 ? text : text[..300] + "…";
    }

    /// <summary>The subcommand (<c>clone</c>, <c>push</c>, …): the first argument that is no option nor an option's value.</summary>
    private static string VerbOf(IReadOnlyList<string> arguments)
    {
        for (var i = 0; i < arguments.Count; i++)
        {
            if (arguments[i] is "-c" or "-C" or "--git-dir" or "--work-tree")
            {
                i++;
            }
            else if (!arguments[i].StartsWith('-'))
            {
                return arguments[i];
            }
        }

        return "";
    }

    // The command's standard input (UTF-8, no byte order mark), then end of input; none at all without one. A command
    // that exits before reading it all (it failed) closes the pipe: its exit code and error output say why.
    private static async Task WriteInputAsync(Process process, string? input, CancellationToken cancellationToken)
    {
        try
        {
            await using var stdin = new StreamWriter(process.StandardInput.BaseStream, new UTF8Encoding(false));
            if (input is not null)
            {
                await stdin.WriteAsync(input.AsMemory(), cancellationToken);
            }
        }
        catch (IOException)
        {
        }
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (Exception ex) when (ex is InvalidOperationException or Win32Exception or NotSupportedException)
        {
            // Already exited.
        }
    }

    /// <summary>Lets the output readers finish after a kill, without waiting on a stray grandchild that holds the pipe.</summary>
    private static async Task DrainAsync(Task<string> output, Task<string> error)
    {
        try
        {
            await Task.WhenAll(output, error).WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception ex) when (ex is TimeoutException or IOException or ObjectDisposedException)
        {
            // The output of a stopped command is not needed.
        }
    }
}
