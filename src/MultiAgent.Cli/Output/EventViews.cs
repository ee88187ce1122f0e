using MultiAgent.Contracts;
using Spectre.Console;

namespace MultiAgent.Cli.Output;

/// <summary>Human-readable output of watch: one line per event.</summary>
internal static class EventViews
{
    public static void Event(Terminal terminal, JobEvent jobEvent)
    {
        var agent = jobEvent.AgentType is { } type ? Wire.Name(type) : "";
        var style = Formats.EventStyle(jobEvent.Type);
        terminal.MarkupLine(
            $"{Formats.Clock(jobEvent.Timestamp)}  [{style}]{Markup.Escape(jobEvent.Type),-18}[/]  {Markup.Escape(agent),-12}  {Markup.Escape(jobEvent.Message)}");
    }

    /// <summary>A recorded timeline entry of <paramref name="id"/> (a job's or a project's) as the event stream carries it.</summary>
    public static JobEvent ToJobEvent(string id, TimelineEntry entry) =>
        new(id, entry.Type, entry.Message, entry.Timestamp, Data: entry.Data, EventId: entry.Id);

    public static void Final(Terminal terminal, string jobId, JobStatus status, string? detail)
    {
        var name = Wire.Name(status);
        var line = $"Job {Markup.Escape(jobId)} [{Formats.Style(status)}]{name}[/]";
        if (!string.IsNullOrWhiteSpace(detail))
        {
            line += $": {Markup.Escape(detail)}";
        }

        terminal.MarkupLine(line);
    }
}
