using System.CommandLine;
using MultiAgent.Cli.Output;

namespace MultiAgent.Cli.Commands;

/// <summary><c>reject &lt;job-id&gt; [--reason text] [--json]</c>: fails a job that is AWAITING_APPROVAL and closes its pull request.</summary>
internal static class RejectCommand
{
    public static Command Create(CliContext cli) => JobRequestCommand.Create(
        cli,
        "reject",
        "Reject a job that is AWAITING_APPROVAL: it is marked FAILED and its pull request closed. Only the first approve or reject of a job counts",
        JobRequestCommand.TextOption("--reason", "Why (becomes the job's error)"),
        id => $"Rejecting {id}…",
        (queries, id, reason, ct) => queries.RejectJobAsync(id, CliContext.UserName, reason, ct),
        JobViews.Rejected);
}
