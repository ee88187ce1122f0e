using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Hosting;
using MultiAgent.Contracts;

namespace MultiAgent.AgentRuntime.Health;

/// <summary>
/// An agent instance's figures: kept in memory for its heartbeats, and recorded as OpenTelemetry instruments
/// (meter "MultiAgent") for the dashboard.
/// </summary>
public sealed class AgentMetrics
{
    private readonly AgentIdentity _identity;
    private readonly TimeProvider _time;
    private readonly Counter<long> _finished;
    private readonly Histogram<double> _duration;
    private readonly UpDownCounter<long> _inFlightCounter;
    private readonly KeyValuePair<string, object?> _agentTag;
    private long _processed;
    private long _failed;
    private long _totalDurationTicks;
    private long _lastCompletedTicks;
    private int _inFlight;
    private volatile bool _draining;
    private readonly Lock _cpuGate = new();
    private TimeSpan _lastCpuTime = Environment.CpuUsage.TotalTime;
    private long _lastCpuSample = Stopwatch.GetTimestamp();

    public AgentMetrics(AgentIdentity identity, IMeterFactory meterFactory, TimeProvider? time = null)
    {
        _identity = identity;
        _time = time ?? TimeProvider.System;
        StartedAt = _time.GetUtcNow();
        var meter = meterFactory.Create(MultiAgentTelemetry.MeterName);
        _finished = meter.CreateCounter<long>("multiagent.tasks.finished", "{task}", "Tasks an agent finished, by outcome.");
        _duration = meter.CreateHistogram<double>("multiagent.tasks.duration", "s", "Wall time of a task, by outcome.");
        _inFlightCounter = meter.CreateUpDownCounter<long>("multiagent.tasks.in_flight", "{task}", "Tasks running now.");
        _agentTag = new("agent.type", Subjects.AgentToken(identity.AgentType));
    }

    public DateTimeOffset StartedAt { get; }

    /// <summary>Marks the start of a task; dispose the result when it ends, whatever the outcome.</summary>
    public void TaskStarted()
    {
        Interlocked.Increment(ref _inFlight);
        _inFlightCounter.Add(1, _agentTag);
    }

    /// <summary>Records a finished task. <paramref name="succeeded"/> false counts it as failed.</summary>
    public void TaskFinished(TimeSpan duration, bool succeeded, string outcome)
    {
        Interlocked.Decrement(ref _inFlight);
        _inFlightCounter.Add(-1, _agentTag);
        Interlocked.Increment(ref _processed);
        if (!succeeded)
        {
            Interlocked.Increment(ref _failed);
        }
        else
        {
            Interlocked.Exchange(ref _lastCompletedTicks, _time.GetUtcNow().UtcTicks);
        }

        Interlocked.Add(ref _totalDurationTicks, duration.Ticks);
        var tags = new TagList { _agentTag, { "outcome", outcome } };
        _finished.Add(1, tags);
        _duration.Record(duration.TotalSeconds, tags);
    }

    /// <summary>A task handed back unfinished (shutdown): not counted as processed.</summary>
    public void TaskReturned()
    {
        Interlocked.Decrement(ref _inFlight);
        _inFlightCounter.Add(-1, _agentTag);
    }

    public void BeginDraining() => _draining = true;

    public AgentHeartbeat Snapshot(bool stopped = false)
    {
        var processed = Interlocked.Read(ref _processed);
        var inFlight = Volatile.Read(ref _inFlight);
        var lastCompleted = Interlocked.Read(ref _lastCompletedTicks);
        var state = stopped ? AgentState.Stopped
            : _draining ? AgentState.Draining
            : inFlight > 0 ? AgentState.Busy
            : AgentState.Idle;
        return new AgentHeartbeat(
            _identity.AgentType,
            _identity.InstanceId,
            state,
            _time.GetUtcNow(),
            StartedAt,
            processed,
            Interlocked.Read(ref _failed),
            processed == 0 ? 0 : TimeSpan.FromTicks(Interlocked.Read(ref _totalDurationTicks) / processed).TotalMilliseconds,
            lastCompleted == 0 ? null : new DateTimeOffset(lastCompleted, TimeSpan.Zero),
            inFlight,
            Environment.WorkingSet,
            CpuPercentSinceLastSnapshot(),
            HeapAfterLastFullCollection());
    }

    /// <summary>
    /// What the managed heap held after the latest full (generation 2) collection, background or blocking: its size
    /// less the free space inside it (fragmentation). That is what the process really keeps. After a younger collection
    /// the heap still carries the old generation's garbage, and a background collection does not compact, so the heap's
    /// size alone includes free space that is no object. Before any full collection, the same of the latest one.
    /// </summary>
    public static long HeapAfterLastFullCollection()
    {
        var background = GC.GetGCMemoryInfo(GCKind.Background);
        var blocking = GC.GetGCMemoryInfo(GCKind.FullBlocking);
        var latest = background.Index >= blocking.Index ? background : blocking;
        var info = latest.Index > 0 ? latest : GC.GetGCMemoryInfo();
        return info.HeapSizeBytes - info.FragmentedBytes;
    }

    // The process's CPU time since the previous snapshot over the wall time since then and the machine's processors.
    private double CpuPercentSinceLastSnapshot()
    {
        var cpu = Environment.CpuUsage.TotalTime;
        var now = Stopwatch.GetTimestamp();
        lock (_cpuGate)
        {
            var wall = Stopwatch.GetElapsedTime(_lastCpuSample, now);
            var used = cpu - _lastCpuTime;
            (_lastCpuTime, _lastCpuSample) = (cpu, now);
            return wall <= TimeSpan.Zero ? 0 : Math.Round(Math.Clamp(used / wall / Environment.ProcessorCount * 100, 0, 100), 1);
        }
    }
}
