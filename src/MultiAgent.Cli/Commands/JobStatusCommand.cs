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
            var asJson = parseResult.GetValue(json);
            var settings = cli.Settings(parseResult);
            await using var session = await cli.ConnectAsync(settings, asJson, ct);
            var reply = await cli.Out.SpinAsync($"Asking for {id}…", asJson, () => session.Queries.JobStatusAsync(id, ct));
            if (asJson)
            {
                JsonOutput.Write(cli.Out.Writer, reply);
            }
            else
            {
                JobViews.Status(cli.Out, reply);
            }

            return ExitCodes.Ok;
        }, cancellationToken));
        return command;
    }
}
