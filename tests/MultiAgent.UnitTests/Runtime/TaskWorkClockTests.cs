using System.Diagnostics;
using MultiAgent.AgentRuntime.Tasks;
using MultiAgent.Contracts.Telemetry;

namespace MultiAgent.UnitTests.Runtime;

/// <summary>
/// Where a task's time went, as its task.completed event reports it: each marked span inside the task's span counts
/// once, for the innermost kind it is in, and whatever no span covers is the system's own time.
/// </summary>
public sealed class TaskWorkClockTests
{
    private static readonly ActivitySource Source = new("MultiAgent.UnitTests.WorkClock");
    private static readonly DateTime T0 = new(2026, 12, 2, 8, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void Model_tools_check_and_git_spans_inside_a_task_count_once_each_for_the_innermost_kind()
    {
        using var task = Span("task implementation.request", null, 0);
        var clock = TaskWorkClock.Start(task)!;

        End(Span("git clone", WorkSpans.Git, 0), 300);
        using (var chat = Source.StartActivity("chat e2e-coder")!)
        {
            chat.SetTag(WorkSpans.GenAiOperationTag, "chat");
            chat.SetStartTime(T0.AddMilliseconds(300));
            End(chat, 1300);
        }

        // A tool that runs the check: 200 ms of it are the tool's own, 500 ms the check's.
        var tool = Span("tool run_check", WorkSpans.Tools, 1300);
        End(Span("check", WorkSpans.Check, 1400), 1900);
        End(tool, 2000);
        End(Span("unmarked", null, 2000), 2500);

        var times = clock.Read(TimeSpan.FromMilliseconds(3000));

        Assert.Equal(new WorkTimes(ModelMs: 1000, ToolsMs: 200, CheckMs: 500, GitMs: 300, TotalMs: 3000), times);
        Assert.Equal(1000, times.OwnMs);
    }

    [Fact]
    public void Spans_of_another_task_or_of_no_task_count_for_none()
    {
        using var first = Span("task a", null, 0);
        var firstClock = TaskWorkClock.Start(first)!;
        Activity.Current = null;
        using var second = Span("task b", null, 0);
        var secondClock = TaskWorkClock.Start(second)!;

        End(Span("git push", WorkSpans.Git, 0), 400);
        Activity.Current = null;
        End(Span("git fetch", WorkSpans.Git, 0), 700);

        Assert.Equal(0, firstClock.Read(TimeSpan.FromSeconds(1)).GitMs);
        Assert.Equal(400, secondClock.Read(TimeSpan.FromSeconds(1)).GitMs);
        Assert.Null(TaskWorkClock.Start(null));
    }

    private static Activity Span(string name, string? kind, int startMs)
    {
        _ = TaskWorkClock.Start(null); // the listener, so that the source makes spans
        var span = Source.StartActivity(name) ?? throw new InvalidOperationException("no listener");
        if (kind is not null)
        {
            span.SetTag(WorkSpans.Tag, kind);
        }

        span.SetStartTime(T0.AddMilliseconds(startMs));
        return span;
    }

    private static void End(Activity span, int endMs)
    {
        span.SetEndTime(T0.AddMilliseconds(endMs));
        span.Stop();
    }
}
