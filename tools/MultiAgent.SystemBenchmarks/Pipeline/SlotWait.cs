using MultiAgent.Contracts;

namespace MultiAgent.SystemBenchmarks.Pipeline;

/// <summary>
/// Splits a hand-off in two: the wait for a free slot on the agent that takes the follow-up (each instance runs at most
/// MultiAgent:Agent:MaxConcurrentTasks tasks at once and pulls the next only when one of its slots is free, so a
/// follow-up waits while the agent is full and while tasks queued before it take the slots that free up), which is the
/// agents' capacity; and the <b>delivery</b>: the time before the follow-up's start during which the agent had a free
/// slot all along, which is the system's own latency (published, pulled, claimed). An agent counts as busy with a task
/// from its start to its end, which is shorter than the slot is held (the pull before, the acknowledgement after), so
/// the split errs towards the delivery.
/// </summary>
public static class SlotWait
{
    /// <summary>Each hand-off of <paramref name="jobs"/> with its delivery part, in ms, given the slots of each agent type.</summary>
    public static IReadOnlyList<(HandOff HandOff, double DeliveryMs)> Split(IReadOnlyList<JobTiming> jobs, Func<AgentType, int> slots)
    {
        var spans = jobs.SelectMany(j => j.Spans).ToLookup(s => s.Agent);
        return [.. jobs.SelectMany(j => j.HandOffs).Select(h => (h, DeliveryMs(h, [.. spans[h.Agent]], slots(h.Agent))))];
    }

    private static double DeliveryMs(HandOff handOff, IReadOnlyList<TaskSpan> agentSpans, int slots)
    {
        // The agent's other tasks change how many run only at their starts and ends: between two such moments the
        // count holds. The delivery began when the last stretch with every slot taken (since the hand-off) ended.
        var start = handOff.StartedAt;
        var others = agentSpans.Where(s => s.Start < start).ToList();
        var moments = others.SelectMany(s => new[] { s.Start, s.End })
            .Where(t => t > handOff.At && t < start)
            .Append(handOff.At)
            .Append(start)
            .Distinct()
            .Order()
            .ToList();
        var freeSince = handOff.At;
        for (var i = 0; i + 1 < moments.Count; i++)
        {
            if (others.Count(s => s.Start <= moments[i] && moments[i] < s.End) >= slots)
            {
                freeSince = moments[i + 1];
            }
        }

        return (start - freeSince).TotalMilliseconds;
    }
}
