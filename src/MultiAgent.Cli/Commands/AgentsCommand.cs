using System.CommandLine;
using MultiAgent.Cli.Output;

namespace MultiAgent.Cli.Commands;

/// <summary><c>agents [--all] [--json]</c>: the agent instances the Repo Manager's registry knows.</summary>
internal static class AgentsCommand
{
    public static Command Create(CliContext cli)
    {
        var all = new Option<bool>("--all")
        {
            Description = "Include instances that stopped",
        };
        var json = CliContext.JsonOption();
        var command = new Command("agents", "List agent instances: type, health, state, uptime, tasks processed and failed, error rate")
        {
            all, json,
        };
        command.SetAction((parseResult, cancellationToken) => cli.RunAsync(async ct =>
        {
            await cli.AskAsync(parseResult, json, "Asking for agents…", (queries, token) => queries.AgentsAsync(parseResult.GetValue(all), token),
                (output, reply) => AgentViews.Agents(output, reply, DateTimeOffset.UtcNow), ct);
            return ExitCodes.Ok;
        }, cancellationToken));
        return command;
    }
}
