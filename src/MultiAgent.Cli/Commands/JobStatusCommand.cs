using System.CommandLine;
using MultiAgent.Cli.Output;

namespace MultiAgent.Cli.Commands;

/// <summary><c>job-status &lt;job-id&gt; [--json]</c>: state, iteration, pull request, token usage, error, tasks, timeline.</summary>
internal static class JobStatusCommand
{
    public static Command Create(CliContext cli)
    {
        var jobId = JobIdArgument.Create();
        var json = CliContext.JsonOption();
        var command = new Command("job-status", "Show a job: state, iteration, pull request, token usage, error, its tasks and its timeline")
        {
            jobId, json,
        };
        command.SetAction((parseResult, cancellationToken) => cli.RunAsync(async ct =>
        {
            var id = JobIdArgument.Get(parseResult, jobId);
            await cli.AskAsync(parseResult, json, $"Asking for {id}…", (queries, token) => queries.JobStatusAsync(id, token), JobViews.Status, ct);
            return ExitCodes.Ok;
        }, cancellationToken));
        return command;
    }
}
