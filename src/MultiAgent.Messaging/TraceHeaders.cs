using System.Diagnostics;
using NATS.Client.Core;

namespace MultiAgent.Messaging;

/// <summary>
/// One trace per job, across processes. A job's trace id is derived from its id (<see cref="TraceIdOf"/>), so whoever
/// starts or continues work on a job (the CLI's submit, an approval through the query API, a task) is in the same trace
/// without asking anyone. W3C trace context (<c>traceparent</c>, <c>tracestate</c>) in NATS headers carries the parent
/// span: the publishers write the current activity's when it belongs to the job's trace, else the job's root
/// (<see cref="RootOf"/>); the task loop starts each task's activity under it.
/// </summary>
public static class TraceHeaders
{
    public const string TraceParent = "traceparent";
    public const string TraceState = "tracestate";

    /// <summary>The trace id of job <paramref name="jobId"/>: the first 16 bytes of the SHA-256 of its id.</summary>
    public static ActivityTraceId TraceIdOf(string jobId) => RootOf(jobId).TraceId;

    /// <summary>
    /// The job's root: its trace id and a span id from the next 8 bytes of the same hash (sampled), the parent of work
    /// that has no other.
    /// </summary>
    public static ActivityContext RootOf(string jobId)
    {
        ArgumentException.ThrowIfNullOrEmpty(jobId);
        Span<byte> hash = stackalloc byte[32];
        System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(jobId), hash);
        return new ActivityContext(
            ActivityTraceId.CreateFromBytes(hash[..16]), ActivitySpanId.CreateFromBytes(hash[16..24]), ActivityTraceFlags.Recorded, isRemote: true);
    }

    /// <summary>The parent for work on job <paramref name="jobId"/>: <paramref name="candidate"/> when it is in the job's trace, else the job's root.</summary>
    public static ActivityContext ParentFor(string jobId, ActivityContext candidate)
    {
        var root = RootOf(jobId);
        return candidate != default && candidate.TraceId == root.TraceId ? candidate : root;
    }

    /// <summary>
    /// <paramref name="headers"/> (created if null) carrying the parent for what is published about job
    /// <paramref name="jobId"/>: the current activity when it is in the job's trace, else the job's root.
    /// </summary>
    public static NatsHeaders ForJob(string jobId, NatsHeaders? headers = null)
    {
        headers ??= [];
        if (string.IsNullOrEmpty(jobId))
        {
            return headers;
        }

        var current = Activity.Current is { IdFormat: ActivityIdFormat.W3C } activity ? activity.Context : default;
        var parent = ParentFor(jobId, current);
        headers[TraceParent] = $"00-{parent.TraceId.ToHexString()}-{parent.SpanId.ToHexString()}-{(parent.TraceFlags.HasFlag(ActivityTraceFlags.Recorded) ? "01" : "00")}";
        if (!string.IsNullOrEmpty(parent.TraceState))
        {
            headers[TraceState] = parent.TraceState;
        }

        return headers;
    }

    /// <summary>The trace context the headers carry, or default (no parent) when they carry none that parses.</summary>
    public static ActivityContext ParentOf(NatsHeaders? headers)
    {
        if (headers is null || !headers.TryGetValue(TraceParent, out var parents))
        {
            return default;
        }

        var state = headers.TryGetValue(TraceState, out var states) ? states.ToString() : null;
        foreach (var parent in parents)
        {
            if (ActivityContext.TryParse(parent, state, isRemote: true, out var context))
            {
                return context;
            }
        }

        return default;
    }
}
