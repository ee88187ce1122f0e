using MultiAgent.Contracts;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace MultiAgent.Cli.Output;

/// <summary>Human-readable output of job-status, list-jobs, stop-job, approve and reject.</summary>
internal static class JobViews
{
    public static void Status(Terminal terminal, JobStatusReply reply)
    {
        var job = reply.Job;
        var details = new Grid().AddColumn(new GridColumn().NoWrap().PadRight(2)).AddColumn();
        void Row(string label, IRenderable value) => details.AddRow(terminal.Styled(label, "bold"), value);
        void Text(string label, string? value, string style = "") => Row(label, terminal.Styled(string.IsNullOrEmpty(value) ? Formats.None : value, style));

        Text("Job", job.JobId, "bold");
        Text("Title", job.Title);
        Text("Repository", job.Repository);
        Text("Status", Wire.Name(job.Status), Formats.Style(job.Status));
        Text("Iteration", $"{job.Iteration} of {job.MaxIterations}");
        if (job.PullRequestUrl is { Length: > 0 } url)
        {
            Row("Pull request", terminal.IsRich ? new Markup($"[link={Markup.Escape(url)}]{Markup.Escape(url)}[/]") : new Markup(Markup.Escape(url)));
        }
        else
        {
            Text("Pull request", null);
        }

        if (job.MergeCommitSha is { Length: > 0 } sha)
        {
            Text("Merge commit", sha);
        }

        Text("Tokens", Formats.Tokens(job.TokenUsage));
        if (job.Error is { Length: > 0 } error)
        {
            Text("Error", error, "red");
        }

        Text("Created", Formats.Time(job.CreatedAt));
        Text("Updated", Formats.Time(job.UpdatedAt));
        if (job.CompletedAt is not null)
        {
            Text("Completed", Formats.Time(job.CompletedAt));
        }

        terminal.Write(details);

        terminal.WriteLine();
        terminal.MarkupLine($"[bold]Tasks[/] ({reply.Tasks.Count})");
        if (reply.Tasks.Count > 0)
        {
            var tasks = terminal.NewTable("TASK", "AGENT", "MESSAGE", "STATUS", "ATTEMPTS", "DURATION", "TOKENS", "ERROR");
            foreach (var task in reply.Tasks)
            {
                tasks.AddRow(
                    terminal.Styled(task.TaskId, ""),
                    terminal.Styled(Wire.Name(task.AgentType), ""),
                    terminal.Styled(task.MessageType, ""),
                    terminal.Styled(Wire.Name(task.Status), Formats.Style(task.Status)),
                    terminal.Styled(task.Attempts.ToString(System.Globalization.CultureInfo.InvariantCulture), ""),
                    terminal.Styled(task.DurationMs is { } ms ? Formats.Duration(TimeSpan.FromMilliseconds(ms)) : Formats.None, ""),
                    terminal.Styled(task.TokenUsage.Total == 0 ? Formats.None : Formats.Number(task.TokenUsage.Total), ""),
                    terminal.Styled(Formats.Shorten(task.Error, 80), task.Error is null ? "" : "red"));
            }

            terminal.Write(tasks);
        }

        terminal.WriteLine();
        terminal.MarkupLine($"[bold]Timeline[/] ({reply.Timeline.Count})");
        if (reply.Timeline.Count > 0)
        {
            var timeline = terminal.NewTable("TIME", "EVENT", "MESSAGE");
            foreach (var entry in reply.Timeline)
            {
                timeline.AddRow(
                    terminal.Styled(Formats.Time(entry.Timestamp), ""),
                    terminal.Styled(entry.Type, Formats.EventStyle(entry.Type)),
                    terminal.Styled(entry.Message, ""));
            }

            terminal.Write(timeline);
        }
    }

    public static void List(Terminal terminal, ListJobsReply reply, ListJobsQuery query)
    {
        if (reply.Jobs.Count == 0)
        {
            terminal.WriteLine(reply.Total == 0
                ? "No jobs."
                : $"No jobs at offset {query.Offset}; there are {reply.Total}.");
            return;
        }

        var table = terminal.NewTable("JOB", "STATUS", "ITERATION", "REPOSITORY", "TITLE", "TOKENS", "COST", "UPDATED");
        foreach (var job in reply.Jobs)
        {
            table.AddRow(
                terminal.Styled(job.JobId, ""),
                terminal.Styled(Wire.Name(job.Status), Formats.Style(job.Status)),
                terminal.Styled($"{job.Iteration}/{job.MaxIterations}", ""),
                terminal.Styled(job.Repository, ""),
                terminal.Styled(Formats.Shorten(job.Title, 60), ""),
                terminal.Styled(job.TokenUsage.Total == 0 ? Formats.None : Formats.Number(job.TokenUsage.Total), ""),
                terminal.Styled(Formats.Cost(job.TokenUsage), ""),
                terminal.Styled(Formats.Time(job.UpdatedAt), ""));
        }

        terminal.Write(table);
        var first = query.Offset + 1;
        var last = query.Offset + reply.Jobs.Count;
        var more = last < reply.Total ? $" (next page: --offset {last})" : "";
        terminal.WriteLine($"{first}-{last} of {reply.Total} job{(reply.Total == 1 ? "" : "s")}{more}");
    }

    public static void Stopped(Terminal terminal, StopJobReply reply)
    {
        var status = terminal.IsRich ? $"[{Formats.Style(reply.Status)}]{Wire.Name(reply.Status)}[/]" : Wire.Name(reply.Status);
        terminal.MarkupLine(reply.Changed
            ? $"Job {Markup.Escape(reply.JobId)} is now {status}."
            : $"Job {Markup.Escape(reply.JobId)} was already {status}; nothing changed.");
    }

    public static void Approved(Terminal terminal, ApprovalReply reply)
    {
        var jobId = Markup.Escape(reply.JobId);
        terminal.MarkupLine($"Approved job {jobId}: the merge follows (watch it with `multi-agent watch {jobId}`)");
    }

    public static void Rejected(Terminal terminal, ApprovalReply reply) =>
        terminal.MarkupLine($"Rejected job {Markup.Escape(reply.JobId)}: it will be marked FAILED and its pull request closed");
}
