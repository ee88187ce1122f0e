using System.Diagnostics;
using MultiAgent.Contracts.Telemetry;

namespace MultiAgent.AgentRuntime.Tasks;

/// <summary>
/// Adds up where a task's time goes (<see cref="WorkTimes"/>) from the spans that end inside the task's own span: the
/// model's, the tools', the check's and git's (<see cref="WorkSpans"/>). One listener per process hears the system's
/// sources; each marked span's time goes to the task whose span encloses it, less the marked spans inside it, so that
/// every millisecond counts once. Spans are made whether or not telemetry is exported.
/// </summary>
public sealed class TaskWorkClock
{
    private const string Property = "multiagent.work-clock";
    private static readonly Lazy<ActivityListener> Listener = new(Listen);

    private long _model;
    private long _tools;
    private long _check;
    private long _git;

    private TaskWorkClock()
    {
    }

    /// <summary>A clock for the task whose span is <paramref name="taskSpan"/> (null when there is no span).</summary>
    public static TaskWorkClock? Start(Activity? taskSpan)
    {
        _ = Listener.Value;
        if (taskSpan is null)
        {
            return null;
        }

        var clock = new TaskWorkClock();
        taskSpan.SetCustomProperty(Property, clock);
        return clock;
    }

    /// <summary>The times so far, for a task that took <paramref name="total"/>.</summary>
    public WorkTimes Read(TimeSpan total) => new(
        Milliseconds(Interlocked.Read(ref _model)),
        Milliseconds(Interlocked.Read(ref _tools)),
        Milliseconds(Interlocked.Read(ref _check)),
        Milliseconds(Interlocked.Read(ref _git)),
        Math.Round(total.TotalMilliseconds, 1));

    private static double Milliseconds(long ticks) => Math.Round(Math.Max(0, TimeSpan.FromTicks(ticks).TotalMilliseconds), 1);

    private void Add(string kind, long ticks)
    {
        switch (kind)
        {
            case WorkSpans.Model: Interlocked.Add(ref _model, ticks); break;
            case WorkSpans.Tools: Interlocked.Add(ref _tools, ticks); break;
            case WorkSpans.Check: Interlocked.Add(ref _check, ticks); break;
            case WorkSpans.Git: Interlocked.Add(ref _git, ticks); break;
        }
    }

    private static ActivityListener Listen()
    {
        var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == WorkSpans.SourceName || source.Name.StartsWith(WorkSpans.SourceName + ".", StringComparison.Ordinal),
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
            ActivityStopped = Stopped,
        };
        ActivitySource.AddActivityListener(listener);
        return listener;
    }

    private static void Stopped(Activity span)
    {
        if (WorkSpans.KindOf(span) is not { } kind)
        {
            return;
        }

        string? enclosing = null;
        for (var parent = span.Parent; parent is not null; parent = parent.Parent)
        {
            if (parent.GetCustomProperty(Property) is TaskWorkClock clock)
            {
                clock.Add(kind, span.Duration.Ticks);
                if (enclosing is not null)
                {
                    // The enclosing span adds its whole length when it ends: this part is not its own.
                    clock.Add(enclosing, -span.Duration.Ticks);
                }

                return;
            }

            enclosing ??= WorkSpans.KindOf(parent);
        }
    }
}
