using System.Collections;
using System.CommandLine;
using System.CommandLine.Invocation;
using MultiAgent.Cli.Commands;
using Spectre.Console;

namespace MultiAgent.Cli;

/// <summary>
/// The multi-agent command, runnable in-process: arguments, output writers and environment in, exit code out.
/// Program.cs calls it with the real console; tests call it with string writers.
/// </summary>
public static class CliApp
{
    public const string Description =
        """
        Submit features to MultiAgent and follow their jobs. Talks to the system over NATS.

        Connection: --nats, else $MULTIAGENT_NATS_URL, else "nats" in the config file, else nats://localhost:4222.
        Config file: --config, else $MULTIAGENT_CONFIG, else ~/.config/multi-agent/config.json (URL, user, password, token,
                    credsFile). Run mode writes <DataRoot>/cli/operator.json and viewer.json: e.g. --config <DataRoot>/cli/operator.json.
        Exit codes: 0 ok; 1 command or job failed (not found, NATS unreachable, no answer, job failed or cancelled);
                    2 usage error (bad arguments, invalid repository, empty requirements: nothing is sent).
        """;

    /// <summary>Runs the command line with redirected (plain) output.</summary>
    public static Task<int> RunAsync(
        string[] args, TextWriter stdout, TextWriter stderr, IDictionary<string, string?> environment, CancellationToken cancellationToken = default) =>
        RunAsync(args, stdout, stderr, environment, CliTerminal.Redirected, cancellationToken);

    /// <summary>Runs the command line.</summary>
    /// <param name="args">The arguments, without the program name.</param>
    /// <param name="stdout">Where results go.</param>
    /// <param name="stderr">Where errors, warnings and parse errors go.</param>
    /// <param name="environment">The environment variables the CLI reads (MULTIAGENT_NATS_URL, NO_COLOR, HOME, …); the process's own are not read.</param>
    /// <param name="terminal">Whether stdout and stderr are terminals: colours and the spinner only go to terminals.</param>
    /// <param name="cancellationToken">Ctrl+C.</param>
    /// <returns>The exit code (see <see cref="ExitCodes"/>).</returns>
    public static async Task<int> RunAsync(
        string[] args, TextWriter stdout, TextWriter stderr, IDictionary<string, string?> environment, CliTerminal terminal,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(environment);
        var cli = new CliContext(stdout, stderr, new Dictionary<string, string?>(environment, StringComparer.Ordinal), terminal);
        var root = BuildRoot(cli);

        var parseResult = root.Parse(args);
        if (parseResult.Action is ParseErrorAction)
        {
            // A usage error: say what is wrong and where the help is, and send nothing.
            foreach (var error in parseResult.Errors)
            {
                cli.Error.MarkupLine($"[red]error:[/] {Markup.Escape(error.Message)}");
            }

            var path = string.Join(' ', parseResult.CommandResult.Command is RootCommand
                ? ["multi-agent"]
                : new[] { "multi-agent", parseResult.CommandResult.Command.Name });
            cli.Error.WriteLine($"Run '{path} --help' for usage.");
            return ExitCodes.Usage;
        }

        var invocation = new InvocationConfiguration
        {
            Output = stdout,
            Error = stderr,
            // Ctrl+C is handled by Program.cs (the token); tests must not install signal handlers.
            ProcessTerminationTimeout = null,
        };
        return await parseResult.InvokeAsync(invocation, cancellationToken);
    }

    /// <summary>The environment of this process, as <see cref="RunAsync(string[], TextWriter, TextWriter, IDictionary{string, string?}, CliTerminal, CancellationToken)"/> takes it.</summary>
    public static IDictionary<string, string?> ProcessEnvironment()
    {
        var environment = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            environment[(string)entry.Key] = entry.Value as string;
        }

        return environment;
    }

    private static RootCommand BuildRoot(CliContext cli)
    {
        var root = new RootCommand(Description)
        {
            cli.Nats,
            cli.Creds,
            cli.Config,
            cli.Timeout,
            StartProjectCommand.Create(cli),
            ApprovePlanCommand.Create(cli),
            ProjectStatusCommand.Create(cli),
            ListProjectsCommand.Create(cli),
            StopProjectCommand.Create(cli),
            SubmitFeatureCommand.Create(cli),
            JobStatusCommand.Create(cli),
            ListJobsCommand.Create(cli),
            StopJobCommand.Create(cli),
            ApproveCommand.Create(cli),
            RejectCommand.Create(cli),
            WatchCommand.Create(cli),
            AgentsCommand.Create(cli),
            NotifyCommand.Create(cli),
            CompletionCommand.Create(cli),
        };
        return root;
    }
}
