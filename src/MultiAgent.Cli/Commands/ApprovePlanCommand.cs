using System.CommandLine;
using MultiAgent.Cli.Output;

namespace MultiAgent.Cli.Commands;

/// <summary><c>approve-plan &lt;project-id&gt; [--json]</c>: starts a project whose plan waits for approval (PLANNED).</summary>
internal static class ApprovePlanCommand
{
    public static Command Create(CliContext cli)
    {
        var projectId = ProjectIdArgument.Create();
        var json = CliContext.JsonOption();
        var command = new Command("approve-plan", "Approve a planned project's plan (start-project --plan-only): its features start in dependency order")
        {
            projectId, json,
        };
        command.SetAction((parseResult, cancellationToken) => cli.RunAsync(async ct =>
        {
            var id = ProjectIdArgument.Get(parseResult, projectId);
            var by = FeatureSubmission.RequestedBy(cli.Environment);
            await cli.AskAsync(parseResult, json, $"Approving {id}…", (queries, token) => queries.ApprovePlanAsync(id, by, token), ProjectViews.Approved, ct);
            return ExitCodes.Ok;
        }, cancellationToken));
        return command;
    }
}
