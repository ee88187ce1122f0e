using System.CommandLine;
using MultiAgent.Cli.Output;

namespace MultiAgent.Cli.Commands;

/// <summary><c>project-status &lt;project-id&gt; [--json]</c>: the project, its features as a tree with their jobs, its timeline.</summary>
internal static class ProjectStatusCommand
{
    public static Command Create(CliContext cli)
    {
        var projectId = ProjectIdArgument.Create();
        var json = CliContext.JsonOption();
        var command = new Command("project-status",
            "Show a project: state, tokens and cost, its features as a tree (jobs' states, pull requests, iterations, tokens, cost), its timeline")
        {
            projectId, json,
        };
        command.SetAction((parseResult, cancellationToken) => cli.RunAsync(async ct =>
        {
            var id = ProjectIdArgument.Get(parseResult, projectId);
            await cli.AskAsync(parseResult, json, $"Asking for {id}…", (queries, token) => queries.ProjectStatusAsync(id, token), ProjectViews.Status, ct);
            return ExitCodes.Ok;
        }, cancellationToken));
        return command;
    }
}
