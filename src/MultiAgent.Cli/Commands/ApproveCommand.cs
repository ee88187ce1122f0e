using System.CommandLine;
using MultiAgent.Cli.Output;

namespace MultiAgent.Cli.Commands;

/// <summary><c>approve &lt;job-id&gt; [--comment text] [--json]</c>: lets a job that is AWAITING_APPROVAL be merged.</summary>
internal static class ApproveCommand
{
    public static Command Create(CliContext cli) => JobRequestCommand.Create(
        cli,
        "approve",
        "Approve a job that is AWAITING_APPROVAL: its pull request is merged. Only the first approve or reject of a job counts",
        JobRequestCommand.TextOption("--comment", "A note that goes with the approval"),
        id => $"Approving {id}…",
        (queries, id, comment, ct) => queries.ApproveJobAsync(id, CliContext.UserName, comment, ct),
        JobViews.Approved);
}
