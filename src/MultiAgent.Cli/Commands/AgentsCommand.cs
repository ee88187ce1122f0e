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
            var asJson = parseResult.GetValue(json);
            var settings = cli.Settings(parseResult);
            await using var session = await cli.ConnectAsync(settings, asJson, ct);
            var reply = await cli.Out.SpinAsync("Asking for agents…", asJson, () => session.Queries.AgentsAsync(parseResult.GetValue(all), ct));
            if (asJson)
            {
                JsonOutput.Write(cli.Out.Writer, reply);
            }
            else
            {
                AgentViews.Agents(cli.Out, reply, DateTimeOffset.UtcNow);
            }

            return ExitCodes.Ok;
        }, cancellationToken));
        return command;
    }
}
