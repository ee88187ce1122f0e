using System.CommandLine;
using MultiAgent.Cli.Output;
using MultiAgent.Contracts;

namespace MultiAgent.Cli.Commands;

/// <summary><c>list-jobs [--status S] [--repo R] [--limit N] [--offset N] [--json]</c>: newest first.</summary>
internal static class ListJobsCommand
{
    public static Command Create(CliContext cli)
    {
        var status = Paging.StatusOption<JobStatus>("jobs");
        var repo = new Option<string?>("--repo")
        {
            Description = "Only jobs of this repository (written as for submit-feature)",
            HelpName = "url|path",
        };
        var limit = Paging.LimitOption("jobs");
        var offset = Paging.OffsetOption("jobs");
        var json = CliContext.JsonOption();
        var command = new Command("list-jobs", "List jobs, newest first")
        {
            status, repo, limit, offset, json,
        };
        command.SetAction((parseResult, cancellationToken) => cli.RunAsync(async ct =>
        {
            var state = Paging.Status<JobStatus>(parseResult, status, "job");
            var (count, skip) = Paging.Page(parseResult, limit, offset);
            var repository = parseResult.GetValue(repo) is { Length: > 0 } repoText ? FeatureSubmission.RepositoryFilter(repoText) : null;
            var query = new ListJobsQuery(state, repository, count, skip);
            await cli.AskAsync(parseResult, json, "Listing jobs…", (queries, token) => queries.ListJobsAsync(query, token),
                (output, reply) => JobViews.List(output, reply, query), ct);
            return ExitCodes.Ok;
        }, cancellationToken));
        return command;
    }
}
