using System.CommandLine;
using MultiAgent.Cli.Output;
using MultiAgent.Contracts;

namespace MultiAgent.Cli.Commands;

/// <summary><c>list-projects [--status S] [--limit N] [--offset N] [--json]</c>: newest first.</summary>
internal static class ListProjectsCommand
{
    public static Command Create(CliContext cli)
    {
        var status = new Option<string?>("--status")
        {
            Description = $"Only projects in this state: {string.Join(", ", Wire.Names<ProjectStatus>())} (any case)",
            HelpName = "state",
        };
        var limit = new Option<int>("--limit") { Description = $"How many projects to show (1 to {ListJobsCommand.MaxLimit})", HelpName = "N", DefaultValueFactory = _ => 20 };
        var offset = new Option<int>("--offset") { Description = "How many of the newest projects to skip", HelpName = "N", DefaultValueFactory = _ => 0 };
        var json = CliContext.JsonOption();
        var command = new Command("list-projects", "List projects, newest first") { status, limit, offset, json };
        command.SetAction((parseResult, cancellationToken) => cli.RunAsync(async ct =>
        {
            ProjectStatus? state = null;
            if (parseResult.GetValue(status) is { } statusText)
            {
                state = Wire.TryParse<ProjectStatus>(statusText, out var parsed)
                    ? parsed
                    : throw CliException.Usage($"--status '{statusText}' is not a project state; one of {string.Join(", ", Wire.Names<ProjectStatus>())}");
            }

            var count = parseResult.GetValue(limit);
            if (count is < 1 or > ListJobsCommand.MaxLimit)
            {
                throw CliException.Usage($"--limit must be between 1 and {ListJobsCommand.MaxLimit} (was {count})");
            }

            var skip = parseResult.GetValue(offset);
            if (skip < 0)
            {
                throw CliException.Usage($"--offset must not be negative (was {skip})");
            }

            var query = new ListProjectsQuery(state, count, skip);
            await cli.AskAsync(parseResult, json, "Listing projects…", (queries, token) => queries.ListProjectsAsync(query, token),
                (output, reply) => ProjectViews.List(output, reply, query), ct);
            return ExitCodes.Ok;
        }, cancellationToken));
        return command;
    }
}
