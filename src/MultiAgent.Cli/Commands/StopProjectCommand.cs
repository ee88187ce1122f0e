using System.CommandLine;
using MultiAgent.Cli.Output;

namespace MultiAgent.Cli.Commands;

/// <summary><c>stop-project &lt;project-id&gt; [--reason text] [--json]</c>: stops every running job of the project and starts no other.</summary>
internal static class StopProjectCommand
{
    public static Command Create(CliContext cli)
    {
        var projectId = ProjectIdArgument.Create();
        var reason = JobRequestCommand.TextOption("--reason", "Why (recorded in the project's and its jobs' timelines)");
        var json = CliContext.JsonOption();
        var command = new Command("stop-project",
            "Stop a project: every running job of it is cancelled and no other feature starts. A project that already ended is left as it is")
        {
            projectId, reason, json,
        };
        command.SetAction((parseResult, cancellationToken) => cli.RunAsync(async ct =>
        {
            var id = ProjectIdArgument.Get(parseResult, projectId);
            await cli.AskAsync(parseResult, json, $"Stopping {id}…",
                (queries, token) => queries.StopProjectAsync(id, parseResult.GetValue(reason), token), ProjectViews.Stopped, ct);
            return ExitCodes.Ok;
        }, cancellationToken));
        return command;
    }
}
