using System.CommandLine;
using MultiAgent.Cli.Output;

namespace MultiAgent.Cli.Commands;

/// <summary><c>stop-job &lt;job-id&gt; [--reason text] [--json]</c>: cancels the job and the agent work running for it.</summary>
internal static class StopJobCommand
{
    public static Command Create(CliContext cli)
    {
        var jobId = JobIdArgument.Create();
        var reason = new Option<string?>("--reason")
        {
            Description = "Why (recorded in the job's timeline)",
            HelpName = "text",
        };
        var json = CliContext.JsonOption();
        var command = new Command("stop-job", "Cancel a job; the agent running one of its tasks stops it. A job that already ended is left as it is")
        {
            jobId, reason, json,
        };
        command.SetAction((parseResult, cancellationToken) => cli.RunAsync(async ct =>
        {
            var id = JobIdArgument.Get(parseResult, jobId);
            var asJson = parseResult.GetValue(json);
            var settings = cli.Settings(parseResult);
            await using var session = await cli.ConnectAsync(settings, asJson, ct);
            var reply = await cli.Out.SpinAsync($"Stopping {id}…", asJson,
                () => session.Queries.StopJobAsync(id, parseResult.GetValue(reason), ct));
            if (asJson)
            {
                JsonOutput.Write(cli.Out.Writer, reply);
            }
            else
            {
                JobViews.Stopped(cli.Out, reply);
            }

            return ExitCodes.Ok;
        }, cancellationToken));
        return command;
    }
}
