using System.CommandLine;

namespace MultiAgent.Cli.Commands;

/// <summary>
/// <c>completion bash|zsh|fish</c>: prints a script that completes <c>multi-agent</c> in that shell. The script asks
/// <c>multi-agent</c> itself what may come next (System.CommandLine's <c>[suggest:position]</c> directive), so commands,
/// options and option values (states, priorities, shells) are always this version's.
/// </summary>
internal static class CompletionCommand
{
    public static readonly string[] Shells = ["bash", "zsh", "fish"];

    public static Command Create(CliContext cli)
    {
        var shell = new Argument<string>("shell") { Description = "bash, zsh or fish" };
        shell.AcceptOnlyFromAmong(Shells);
        var command = new Command("completion",
            "Print a completion script: eval \"$(multi-agent completion bash)\" in ~/.bashrc, multi-agent completion zsh > ~/.zfunc/_multi-agent, multi-agent completion fish > ~/.config/fish/completions/multi-agent.fish")
        {
            shell,
        };
        command.SetAction(parseResult =>
        {
            cli.Out.Writer.Write(Script(parseResult.GetValue(shell)!));
            cli.Out.Writer.Flush();
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>The script for <paramref name="shell"/> (one of <see cref="Shells"/>).</summary>
    public static string Script(string shell) => shell switch
    {
        "bash" =>
            """
            # multi-agent completion for bash: eval "$(multi-agent completion bash)"
            _multi_agent_complete() {
                local IFS=$'\n'
                local cur="${COMP_WORDS[COMP_CWORD]}"
                COMPREPLY=($(compgen -W "$(multi-agent "[suggest:${COMP_POINT}]" "${COMP_LINE}" 2>/dev/null)" -- "$cur"))
            }
            complete -o default -F _multi_agent_complete multi-agent

            """,
        "zsh" =>
            """
            #compdef multi-agent
            # multi-agent completion for zsh: save as _multi-agent in a folder of $fpath (then compinit)
            _multi_agent() {
                local -a suggestions
                suggestions=("${(@f)$(multi-agent "[suggest:${CURSOR}]" "${BUFFER}" 2>/dev/null)}")
                compadd -a suggestions
            }
            compdef _multi_agent multi-agent

            """,
        "fish" =>
            """
            # multi-agent completion for fish: save as ~/.config/fish/completions/multi-agent.fish
            complete -c multi-agent -f -a '(set -l line (commandline -cp); multi-agent "[suggest:"(string length -- $line)"]" $line 2>/dev/null)'

            """,
        _ => throw new ArgumentOutOfRangeException(nameof(shell), shell, "bash, zsh or fish"),
    };
}
