using System.CommandLine;
using MultiAgent.Cli.Output;
using MultiAgent.Contracts;

namespace MultiAgent.Cli.Commands;

/// <summary><c>list-projects [--status S] [--limit N] [--offset N] [--json]</c>: newest first.</summary>
internal static class ListProjectsCommand
{
    public static Command Create(CliContext cli)
    {
        var status = Paging.StatusOption<ProjectStatus>("projects");
        var limit = Paging.LimitOption("projects");
        var offset = Paging.OffsetOption("projects");
        var json = CliContext.JsonOption();
        var command = new Command("list-projects", "List projects, newest first") { status, limit, offset, json };
        command.SetAction((parseResult, cancellationToken) => cli.RunAsync(async ct =>
        {
            var state = Paging.Status<ProjectStatus>(parseResult, status, "project");
            var (count, skip) = Paging.Page(parseResult, limit, offset);
            var query = new ListProjectsQuery(state, count, skip);
            await cli.AskAsync(parseResult, json, "Listing projects…", (queries, token) => queries.ListProjectsAsync(query, token),
                (output, reply) => ProjectViews.List(output, reply, query), ct);
            return ExitCodes.Ok;
        }, cancellationToken));
        return command;
    }
}
