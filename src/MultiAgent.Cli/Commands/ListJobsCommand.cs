using System.CommandLine;
using MultiAgent.Cli.Output;
using MultiAgent.Contracts;

namespace MultiAgent.Cli.Commands;

/// <summary><c>list-jobs [--status S] [--repo R] [--limit N] [--offset N] [--json]</c>: newest first.</summary>
internal static class ListJobsCommand
{
    public const int MaxLimit = 200;

    public static Command Create(CliContext cli)
    {
        var status = new Option<string?>("--status")
        {
            Description = $"Only jobs in this state: {string.Join(", ", Wire.Names<JobStatus>())} (any case)",
            HelpName = "state",
        };
        var repo = new Option<string?>("--repo")
        {
            Description = "Only jobs of this repository (written as for start-project)",
            HelpName = "url|path",
        };
        var limit = new Option<int>("--limit")
        {
            Description = $"How many jobs to show (1 to {MaxLimit})",
            HelpName = "N",
            DefaultValueFactory = _ => 20,
        };
        var offset = new Option<int>("--offset")
        {
            Description = "How many of the newest jobs to skip",
            HelpName = "N",
            DefaultValueFactory = _ => 0,
        };
        var json = CliContext.JsonOption();
        var command = new Command("list-jobs", "List jobs, newest first")
        {
            status, repo, limit, offset, json,
        };
        command.SetAction((parseResult, cancellationToken) => cli.RunAsync(async ct =>
        {
            JobStatus? state = null;
            if (parseResult.GetValue(status) is { } statusText)
            {
                state = Wire.TryParse<JobStatus>(statusText, out var parsed)
                    ? parsed
                    : throw CliException.Usage($"--status '{statusText}' is not a job state; one of {string.Join(", ", Wire.Names<JobStatus>())}");
            }

            var count = parseResult.GetValue(limit);
            if (count is < 1 or > MaxLimit)
            {
                throw CliException.Usage($"--limit must be between 1 and {MaxLimit} (was {count})");
            }

            var skip = parseResult.GetValue(offset);
            if (skip < 0)
            {
                throw CliException.Usage($"--offset must not be negative (was {skip})");
            }

            var repository = parseResult.GetValue(repo) is { Length: > 0 } repoText ? FeatureSubmission.RepositoryFilter(repoText) : null;
            var query = new ListJobsQuery(state, repository, count, skip);
            await cli.AskAsync(parseResult, json, "Listing jobs…", (queries, token) => queries.ListJobsAsync(query, token),
                (output, reply) => JobViews.List(output, reply, query), ct);
            return ExitCodes.Ok;
        }, cancellationToken));
        return command;
    }
}
