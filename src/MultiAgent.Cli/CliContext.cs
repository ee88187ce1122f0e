using System.CommandLine;
using MultiAgent.Cli.Connection;
using MultiAgent.Cli.Output;
using MultiAgent.Contracts;
using MultiAgent.Messaging;
using MultiAgent.Secrets;
using NATS.Client.Core;
using Spectre.Console;

namespace MultiAgent.Cli;

/// <summary>
/// What one run of the CLI works with: its output streams, its environment, the global options; and the one place
/// where failures become messages and exit codes.
/// </summary>
internal sealed class CliContext(TextWriter stdout, TextWriter stderr, IReadOnlyDictionary<string, string?> environment, CliTerminal terminal)
{
    /// <summary>--nats: the NATS URL.</summary>
    public Option<string?> Nats { get; } = new("--nats")
    {
        Description = $"NATS server URL, e.g. nats://host:4222 (user:password@ or token@ allowed). Default: ${NatsSettings.UrlVariable}, " +
                      $"then the config file, then {NatsSettings.DefaultUrl}",
        HelpName = "url",
        Recursive = true,
    };

    /// <summary>--creds: a NATS creds file.</summary>
    public Option<string?> Creds { get; } = new("--creds")
    {
        Description = $"NATS credentials file (JWT + seed). Default: ${NatsSettings.CredsVariable}, then the config file",
        HelpName = "file",
        Recursive = true,
    };

    /// <summary>--config: the CLI config file (URL and credentials).</summary>
    public Option<string?> Config { get; } = new("--config")
    {
        Description = $"CLI config file (nats, user, password, token, credsFile, localRepositoryRoots), e.g. the operator.json or viewer.json the AppHost " +
                      $"writes. Default: ${CliConfigFile.Variable}, then ~/.config/multi-agent/config.json",
        HelpName = "file",
        Recursive = true,
    };

    /// <summary>--timeout: seconds to wait for NATS and for each answer.</summary>
    public Option<double> Timeout { get; } = new("--timeout")
    {
        Description = "Seconds to wait for NATS to connect and for each answer",
        HelpName = "seconds",
        DefaultValueFactory = _ => 5,
        Recursive = true,
    };

    public IReadOnlyDictionary<string, string?> Environment { get; } = environment;

    public Terminal Out { get; } = new(stdout, terminal.StdoutIsTerminal, environment);

    public Terminal Error { get; } = new(stderr, terminal.StderrIsTerminal, environment);

    /// <summary>Secrets to keep out of messages; replaced once the settings are resolved.</summary>
    private SecretRedactor _redactor = new();

    /// <summary>The command's NATS session, to tell a refusal by the server from a missing answer.</summary>
    private NatsSession? _session;

    /// <summary>Who runs the command (the operating system's user name), as approve and reject report it.</summary>
    public static string UserName => System.Environment.UserName;

    /// <summary>A --json option for a command.</summary>
    public static Option<bool> JsonOption() => new("--json")
    {
        Description = "Print the reply as JSON (as the contracts serialize it) and nothing else on stdout",
    };

    /// <summary>Resolves the connection settings from the global options, the environment and the config file.</summary>
    public NatsSettings Settings(ParseResult parseResult)
    {
        var settings = NatsSettings.Resolve(
            parseResult.GetValue(Nats), parseResult.GetValue(Creds), parseResult.GetValue(Timeout), Environment, parseResult.GetValue(Config));
        _redactor = settings.Redactor;
        return settings;
    }

    /// <summary>Connects to NATS (under a spinner when rich and not <paramref name="quiet"/>).</summary>
    public async Task<NatsSession> ConnectAsync(NatsSettings settings, bool quiet, CancellationToken cancellationToken) =>
        _session = await Out.SpinAsync($"Connecting to NATS at {settings.DisplayUrl}…", quiet, () => NatsSession.ConnectAsync(settings, cancellationToken));

    /// <summary>
    /// The shape of every query command: connects, asks under a spinner (<paramref name="progress"/>), and prints the
    /// reply: as JSON with <paramref name="json"/>, else through <paramref name="show"/>.
    /// </summary>
    /// <returns>The reply, for the command to choose its exit code.</returns>
    public async Task<TReply> AskAsync<TReply>(
        ParseResult parseResult, Option<bool> json, string progress, Func<QueryClient, CancellationToken, Task<TReply>> ask,
        Action<Terminal, TReply> show, CancellationToken cancellationToken)
    {
        var asJson = parseResult.GetValue(json);
        await using var session = await ConnectAsync(Settings(parseResult), asJson, cancellationToken);
        var reply = await Out.SpinAsync(progress, asJson, () => ask(session.Queries, cancellationToken));
        if (asJson)
        {
            JsonOutput.Write(Out.Writer, reply);
        }
        else
        {
            show(Out, reply);
        }

        return reply;
    }

    /// <summary>A warning on stderr.</summary>
    public void Warn(string message) =>
        Error.MarkupLine($"[yellow]warning:[/] {Markup.Escape(_redactor.Redact(message) ?? "")}");

    /// <summary>Runs a command's action and turns every failure into a message on stderr and an exit code.</summary>
    public async Task<int> RunAsync(Func<CancellationToken, Task<int>> action, CancellationToken cancellationToken)
    {
        try
        {
            return await action(cancellationToken);
        }
        catch (CliException ex)
        {
            return Fail(ex.ExitCode, ex.Message);
        }
        catch (QueryException ex)
        {
            // bad_request: the arguments were wrong (a usage error); not_found, conflict, internal: the command failed.
            return Fail(ex.Error.Code == QueryErrorCodes.BadRequest ? ExitCodes.Usage : ExitCodes.Failure, ex.Error.Message);
        }
        catch (TimeoutException ex)
        {
            return Fail(ExitCodes.Failure, _session?.DescribeRefusal() ?? ex.Message);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return Fail(ExitCodes.Interrupted, "interrupted");
        }
        catch (OperationCanceledException)
        {
            return Fail(ExitCodes.Failure, _session?.DescribeRefusal() ?? "no answer in time (see --timeout)");
        }
        catch (NatsException ex)
        {
            return Fail(ExitCodes.Failure, _session?.DescribeRefusal() ?? $"NATS: {ex.Message}");
        }
        catch (ContractViolationException ex)
        {
            return Fail(ExitCodes.Failure, $"unexpected reply: {ex.Message}");
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException or ArgumentException)
        {
            return Fail(ExitCodes.Failure, $"{ex.GetType().Name}: {ex.Message}");
        }
    }

    private int Fail(int exitCode, string message)
    {
        Error.MarkupLine($"[red]error:[/] {Markup.Escape(_redactor.Redact(message) ?? "")}");
        return exitCode;
    }
}

/// <summary>Whether stdout and stderr are terminals (rather than files or pipes).</summary>
public readonly record struct CliTerminal(bool StdoutIsTerminal, bool StderrIsTerminal)
{
    /// <summary>Both redirected: plain output, as in tests and scripts.</summary>
    public static CliTerminal Redirected { get; } = new(false, false);
}
