using System.Globalization;
using MultiAgent.Contracts;

namespace MultiAgent.Cli.Output;

/// <summary>How values look in human-readable output.</summary>
internal static class Formats
{
    public const string None = "-";

    public static string Time(DateTimeOffset? time) =>
        time is { } t ? t.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) : None;

    public static string Clock(DateTimeOffset time) => time.ToLocalTime().ToString("HH:mm:ss", CultureInfo.InvariantCulture);

    public static string Duration(TimeSpan duration)
    {
        if (duration < TimeSpan.Zero)
        {
            duration = TimeSpan.Zero;
        }

        return duration.TotalDays >= 1 ? $"{(int)duration.TotalDays}d{duration.Hours:00}h"
            : duration.TotalHours >= 1 ? $"{(int)duration.TotalHours}h{duration.Minutes:00}m"
            : duration.TotalMinutes >= 1 ? $"{(int)duration.TotalMinutes}m{duration.Seconds:00}s"
            : duration.TotalSeconds >= 1 ? $"{duration.TotalSeconds:0.#}s"
            : $"{duration.TotalMilliseconds:0}ms";
    }

    public static string Number(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    public static string Megabytes(long bytes) => (bytes / (1024.0 * 1024)).ToString("0", CultureInfo.InvariantCulture) + " MB";

    public static string Percent(double ratio) => (ratio * 100).ToString("0.#", CultureInfo.InvariantCulture) + "%";

    public static string Tokens(TokenUsage usage) =>
        $"{Number(usage.Total)} ({Number(usage.InputTokens)} in, {Number(usage.OutputTokens)} out)"
        + (usage.Cost is null ? "" : $", cost about {Cost(usage)}");

    /// <summary>The estimated cost of <paramref name="usage"/> to four decimals, or <see cref="None"/> when unknown (no prices).</summary>
    public static string Cost(TokenUsage usage) =>
        usage.Cost is { } cost ? cost.ToString("0.####", CultureInfo.InvariantCulture) : None;

    /// <summary>The colour of a job state.</summary>
    public static string Style(JobStatus status) => status switch
    {
        JobStatus.Completed => "green",
        JobStatus.Failed => "red",
        JobStatus.Cancelled => "yellow",
        JobStatus.AwaitingApproval => "magenta",
        JobStatus.Pending => "grey",
        _ => "blue",
    };

    public static string Style(AgentTaskStatus status) => status switch
    {
        AgentTaskStatus.Completed => "green",
        AgentTaskStatus.Failed or AgentTaskStatus.DeadLettered => "red",
        AgentTaskStatus.Cancelled => "yellow",
        AgentTaskStatus.Pending => "grey",
        _ => "blue",
    };

    /// <summary>The colour of an event type.</summary>
    public static string EventStyle(string type) => type switch
    {
        JobEventTypes.JobCompleted or JobEventTypes.JobMerged or JobEventTypes.TaskCompleted => "green",
        JobEventTypes.JobFailed or JobEventTypes.TaskFailed or JobEventTypes.TaskDeadLettered => "red",
        JobEventTypes.JobCancelled => "yellow",
        _ => "blue",
    };

    public static bool IsTerminal(JobStatus status) => status is JobStatus.Completed or JobStatus.Failed or JobStatus.Cancelled;

    /// <summary>Shortens one-line text for a table cell.</summary>
    public static string Shorten(string? text, int max)
    {
        if (string.IsNullOrEmpty(text))
        {
            return None;
        }

        var line = text.ReplaceLineEndings(" ");
        return line.Length <= max ? line : line[..(max - 1)] + "…";
    }
}
