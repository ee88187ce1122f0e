using System.CommandLine;
using MultiAgent.Cli.Output;

namespace MultiAgent.Cli.Commands;

/// <summary><c>stop-job &lt;job-id&gt; [--reason text] [--json]</c>: cancels the job and the agent work running for it.</summary>
internal static class StopJobCommand
{
    public static Command Create(CliContext cli) => JobRequestCommand.Create(
        cli,
        "stop-job",
        "Cancel a job; the agent running one of its tasks stops it. A job that already ended is left as it is",
        JobRequestCommand.TextOption("--reason", "Why (recorded in the job's timeline)"),
        id => $"Stopping {id}…",
        (queries, id, reason, ct) => queries.StopJobAsync(id, reason, ct),
        JobViews.Stopped);
}
