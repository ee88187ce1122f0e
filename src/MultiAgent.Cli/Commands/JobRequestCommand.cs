using System.CommandLine;
using MultiAgent.Cli.Output;
using MultiAgent.Messaging;

namespace MultiAgent.Cli.Commands;

/// <summary>
/// The shape of stop-job, approve and reject: <c>&lt;name&gt; &lt;job-id&gt; [--&lt;text option&gt; text] [--json]</c>,
/// one request to the Repo Manager about one job, its reply printed as text or as JSON.
/// </summary>
internal static class JobRequestCommand
{
    /// <summary>A free-text option of such a command (--reason, --comment).</summary>
    public static Option<string?> TextOption(string name, string description) => new(name)
    {
        Description = description,
        HelpName = "text",
    };

    /// <param name="cli">The run's context.</param>
    /// <param name="name">The command's name.</param>
    /// <param name="description">The command's help.</param>
    /// <param name="text">The command's free-text option.</param>
    /// <param name="progress">The spinner's text for a job id ("Stopping job-…").</param>
    /// <param name="send">Sends the request: the query client, the job id, the text option's value.</param>
    /// <param name="show">Prints the reply as text.</param>
    public static Command Create<TReply>(
        CliContext cli,
        string name,
        string description,
        Option<string?> text,
        Func<string, string> progress,
        Func<QueryClient, string, string?, CancellationToken, Task<TReply>> send,
        Action<Terminal, TReply> show)
    {
        var jobId = JobIdArgument.Create();
        var json = CliContext.JsonOption();
        var command = new Command(name, description) { jobId, text, json };
        command.SetAction((parseResult, cancellationToken) => cli.RunAsync(async ct =>
        {
            var id = JobIdArgument.Get(parseResult, jobId);
            await cli.AskAsync(parseResult, json, progress(id), (queries, token) => send(queries, id, parseResult.GetValue(text), token), show, ct);
            return ExitCodes.Ok;
        }, cancellationToken));
        return command;
    }
}
