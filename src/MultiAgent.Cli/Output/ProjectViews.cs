using System.Globalization;
using MultiAgent.Contracts;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace MultiAgent.Cli.Output;

/// <summary>Human-readable output of project-status, list-projects, stop-project, approve-plan and start-project --plan-only.</summary>
internal static class ProjectViews
{
    public static void Status(Terminal terminal, ProjectStatusReply reply)
    {
        var project = reply.Project;
        var details = new Grid().AddColumn(new GridColumn().NoWrap().PadRight(2)).AddColumn();
        void Text(string label, string? value, string style = "") =>
            details.AddRow(terminal.Styled(label, "bold"), terminal.Styled(string.IsNullOrEmpty(value) ? Formats.None : value, style));

        Text("Project", project.ProjectId, "bold");
        Text("Title", project.Title);
        Text("Repository", project.Repository);
        Text("Status", Wire.Name(project.Status), Style(project.Status));
        Text("Features", string.Create(CultureInfo.InvariantCulture, $"{project.FeaturesCompleted} of {project.Features} merged"));
        Text("Tokens", Formats.Tokens(project.TokenUsage));
        if (project.Budget is { } budget)
        {
            Text("Budget", Budget(budget));
        }

        if (project.Error is { Length: > 0 } error)
        {
            Text("Error", error, project.Status == ProjectStatus.Cancelled ? "yellow" : "red");
        }

        Text("Created", Formats.Time(project.CreatedAt));
        Text("Updated", Formats.Time(project.UpdatedAt));
        terminal.Write(details);

        terminal.WriteLine();
        Plan(terminal, reply.Features);

        terminal.WriteLine();
        terminal.MarkupLine($"[bold]Timeline[/] ({reply.Timeline.Count})");
        if (reply.Timeline.Count > 0)
        {
            var timeline = terminal.NewTable("TIME", "EVENT", "MESSAGE");
            foreach (var entry in reply.Timeline)
            {
                timeline.AddRow(terminal.Styled(Formats.Time(entry.Timestamp), ""), terminal.Styled(entry.Type, ""), terminal.Styled(entry.Message, ""));
            }

            terminal.Write(timeline);
        }
    }

    /// <summary>The features as a tree: each under the last feature it depends on, with its job's state, pull request, iterations, tokens and cost.</summary>
    public static void Plan(Terminal terminal, IReadOnlyList<FeatureSummary> features)
    {
        var tree = new Tree(terminal.Styled($"Features ({features.Count})", "bold"));
        var nodes = new Dictionary<string, TreeNode>(StringComparer.Ordinal);
        foreach (var feature in features)
        {
            var parent = feature.DependsOn.LastOrDefault(nodes.ContainsKey);
            var node = parent is null ? tree.AddNode(Line(terminal, feature)) : nodes[parent].AddNode(Line(terminal, feature));
            nodes[feature.Key] = node;
            foreach (var detail in Details(feature))
            {
                node.AddNode(terminal.Styled(detail, "grey"));
            }
        }

        terminal.Write(tree);
    }

    private static IRenderable Line(Terminal terminal, FeatureSummary feature)
    {
        var state = StateOf(feature);
        var style = feature.Status switch
        {
            FeatureStatus.Completed => "green",
            FeatureStatus.Failed => "red",
            FeatureStatus.Cancelled or FeatureStatus.Blocked => "yellow",
            FeatureStatus.Waiting => "grey",
            _ => "blue",
        };
        var text = $"{feature.Key} [{state}] {feature.Title}";
        return terminal.Styled(text, style);
    }

    private static IEnumerable<string> Details(FeatureSummary feature)
    {
        if (feature.DependsOn.Count > 0)
        {
            yield return "after: " + string.Join(", ", feature.DependsOn);
        }

        if (feature.Job is { } job)
        {
            yield return string.Create(CultureInfo.InvariantCulture,
                $"job {job.JobId}, iteration {job.Iteration}/{job.MaxIterations}, tokens {Formats.Number(job.TokenUsage.Total)}, cost {Formats.Cost(job.TokenUsage)}");
            if (job.PullRequestUrl is { Length: > 0 } url)
            {
                yield return "pull request: " + url;
            }
        }
        else if (feature.JobId is { } jobId)
        {
            yield return "job " + jobId + " (starting)";
        }

        foreach (var criterion in feature.AcceptanceCriteria)
        {
            yield return "- " + criterion;
        }

        if (feature.Reason is { Length: > 0 } reason)
        {
            yield return "reason: " + reason;
        }
    }

    /// <summary>A feature's state as shown: its job's while it runs (IMPLEMENTING, REVIEWING, …), else its own.</summary>
    public static string StateOf(FeatureSummary feature) =>
        feature.Job is { } job && feature.Status == FeatureStatus.Running ? Wire.Name(job.Status) : Wire.Name(feature.Status);

    public static void List(Terminal terminal, ListProjectsReply reply, ListProjectsQuery query)
    {
        if (reply.Projects.Count == 0)
        {
            terminal.WriteLine(reply.Total == 0 ? "No projects." : $"No projects at offset {query.Offset}; there are {reply.Total}.");
            return;
        }

        var table = terminal.NewTable("PROJECT", "STATUS", "FEATURES", "REPOSITORY", "TITLE", "TOKENS", "COST", "UPDATED");
        foreach (var project in reply.Projects)
        {
            table.AddRow(
                terminal.Styled(project.ProjectId, ""),
                terminal.Styled(Wire.Name(project.Status), Style(project.Status)),
                terminal.Styled(string.Create(CultureInfo.InvariantCulture, $"{project.FeaturesCompleted}/{project.Features}"), ""),
                terminal.Styled(project.Repository, ""),
                terminal.Styled(Formats.Shorten(project.Title, 60), ""),
                terminal.Styled(project.TokenUsage.Total == 0 ? Formats.None : Formats.Number(project.TokenUsage.Total), ""),
                terminal.Styled(Formats.Cost(project.TokenUsage), ""),
                terminal.Styled(Formats.Time(project.UpdatedAt), ""));
        }

        terminal.Write(table);
        var last = query.Offset + reply.Projects.Count;
        terminal.WriteLine($"{query.Offset + 1}-{last} of {reply.Total} project{(reply.Total == 1 ? "" : "s")}" + (last < reply.Total ? $" (next page: --offset {last})" : ""));
    }

    public static void Stopped(Terminal terminal, StopProjectReply reply)
    {
        var id = Markup.Escape(reply.ProjectId);
        terminal.MarkupLine(reply.Changed
            ? $"Project {id} is now {Wire.Name(reply.Status)}; stopped {reply.StoppedJobs.Count} running job(s){(reply.StoppedJobs.Count == 0 ? "" : ": " + Markup.Escape(string.Join(", ", reply.StoppedJobs)))}."
            : $"Project {id} was already {Wire.Name(reply.Status)}; nothing changed.");
    }

    public static void Approved(Terminal terminal, ApprovePlanReply reply)
    {
        var id = Markup.Escape(reply.ProjectId);
        terminal.MarkupLine($"Approved the plan of project {id}: it runs now (follow it with `multi-agent watch {id}`)");
    }

    public static string Style(ProjectStatus status) => status switch
    {
        ProjectStatus.Completed => "green",
        ProjectStatus.Failed => "red",
        ProjectStatus.Partial or ProjectStatus.Cancelled => "yellow",
        ProjectStatus.Planned => "magenta",
        _ => "blue",
    };

    public static bool IsTerminal(ProjectStatus status) =>
        status is ProjectStatus.Completed or ProjectStatus.Partial or ProjectStatus.Failed or ProjectStatus.Cancelled;

    private static string Budget(JobBudget budget) =>
        string.Join(", ", new[]
        {
            budget.Tokens is { } tokens ? Formats.Number(tokens) + " tokens" : null,
            budget.Cost is { } cost ? "cost " + cost.ToString("0.####", CultureInfo.InvariantCulture) : null,
        }.Where(part => part is not null));
}
