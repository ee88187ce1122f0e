using MultiAgent.Cli.Connection;
using MultiAgent.Cli.Output;
using MultiAgent.Contracts;
using Spectre.Console;

namespace MultiAgent.Cli.Commands;

/// <summary>
/// <c>watch &lt;project-id&gt; [--json]</c>: prints the project's timeline and each change of a feature's state (its
/// job's, while it runs) until the project ends, asking for its status every <see cref="PollInterval"/>; with
/// <c>--json</c> the project's timeline entries as <see cref="JobEvent"/>s, one per line. Exit code 0 when it
/// COMPLETED, 1 otherwise (PARTIAL, FAILED, CANCELLED).
/// </summary>
internal static class ProjectWatch
{
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    public static async Task<int> FollowAsync(CliContext cli, NatsSession session, string projectId, bool json, CancellationToken ct)
    {
        var seenEvents = 0L;
        var states = new Dictionary<string, string>(StringComparer.Ordinal);
        var first = !json;
        while (true)
        {
            var reply = await session.Queries.ProjectStatusAsync(projectId, ct);
            if (first)
            {
                cli.Out.MarkupLine($"Watching project [bold]{Markup.Escape(projectId)}[/] ({Wire.Name(reply.Project.Status)}): {Markup.Escape(reply.Project.Title)}; Ctrl+C to stop watching (the project goes on)");
                first = false;
            }

            foreach (var entry in reply.Timeline.Where(e => e.Id > seenEvents))
            {
                if (json)
                {
                    JsonOutput.Write(cli.Out.Writer, EventViews.ToJobEvent(projectId, entry));
                }
                else
                {
                    cli.Out.WriteLine($"{Formats.Clock(entry.Timestamp)}  {entry.Type,-24} {entry.Message}");
                }

                seenEvents = entry.Id;
            }

            // The features' states are not events: only the text shows them.
            foreach (var feature in json ? [] : reply.Features)
            {
                var state = ProjectViews.StateOf(feature);
                if (!states.TryGetValue(feature.Key, out var before) || before != state)
                {
                    states[feature.Key] = state;
                    if (before is not null || feature.Status != FeatureStatus.Waiting)
                    {
                        cli.Out.WriteLine($"{Formats.Clock(DateTimeOffset.Now)}  feature {feature.Key,-16} {state}{(feature.JobId is null ? "" : $" (job {feature.JobId})")}");
                    }
                }
            }

            if (ProjectViews.IsTerminal(reply.Project.Status))
            {
                if (!json)
                {
                    cli.Out.MarkupLine($"Project {Markup.Escape(projectId)} ended {Wire.Name(reply.Project.Status)}: {reply.Project.FeaturesCompleted} of {reply.Project.Features} feature(s) merged"
                        + (reply.Project.Error is { Length: > 0 } error ? $"; {Markup.Escape(error)}" : ""));
                }

                return reply.Project.Status == ProjectStatus.Completed ? ExitCodes.Ok : ExitCodes.Failure;
            }

            await Task.Delay(PollInterval, ct);
        }
    }
}
