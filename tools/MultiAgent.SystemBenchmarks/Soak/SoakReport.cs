using System.Globalization;
using MultiAgent.Contracts;

namespace MultiAgent.SystemBenchmarks.Soak;

/// <summary>The soak's figures, printed at the end, and whether its targets were met.</summary>
public sealed class SoakReport(
    SoakOptions options,
    TimeSpan elapsed,
    IReadOnlyList<JobOutcome> jobs,
    IReadOnlyList<Kill> kills,
    IReadOnlyDictionary<string, int> restartsAnnounced,
    IReadOnlyDictionary<string, int> crashLoopsAnnounced,
    IReadOnlyDictionary<string, int> modelRequests,
    IReadOnlyList<MemorySample> memory)
{
    /// <summary>An agent's heap (after GC) may grow by at most this much per hour after the warm-up (the floor's rise).</summary>
    public const double MaxGrowthMegabytesPerHour = 5;

    /// <summary>What a process needs to have run, after its own first two minutes, for its growth to be measured.</summary>
    public static readonly TimeSpan MinSpanForGrowth = TimeSpan.FromMinutes(5);

    private static readonly TimeSpan ProcessWarmUp = TimeSpan.FromMinutes(2);

    public IReadOnlyList<string> MissedTargets { get; private set; } = [];

    public void Print(TextWriter output)
    {
        var missed = new List<string>();
        var ended = jobs.Where(j => j.Ended).ToList();
        var lost = jobs.Where(j => !j.Ended).ToList();
        var duplicated = jobs.Where(j => j.Duplicates.Count > 0).ToList();
        var failed = ended.Where(j => j.Status != JobStatus.Completed).ToList();
        var times = ended.Where(j => j.Status == JobStatus.Completed).Select(j => j.Duration.TotalSeconds).Order().ToList();

        output.WriteLine();
        var chaos = options.ChaosEvery > TimeSpan.Zero ? Invariant($"a kill every ~{options.ChaosEvery.TotalSeconds:0} s (seed {options.Seed})") : "no kills";
        output.WriteLine(Invariant($"MultiAgent soak: {elapsed.TotalMinutes:0.0} min, {options.Concurrency} jobs at a time, {chaos}, {Environment.ProcessorCount} cores"));
        output.WriteLine(Invariant($"jobs: submitted {jobs.Count}, completed {times.Count}, failed {failed.Count(j => j.Status == JobStatus.Failed)}, cancelled {failed.Count(j => j.Status == JobStatus.Cancelled)}, lost (not ended after {JobRunner.Patience.TotalMinutes:0} min) {lost.Count}"));
        foreach (var job in failed.Concat(lost))
        {
            output.WriteLine($"  {job.JobId} {(job.Ended ? job.Status.ToString() : "LOST")}: {job.Error}");
        }

        output.WriteLine(duplicated.Count == 0
            ? "duplicates: none (per job: one pull request, one review, one merge, one implementation and one review task)"
            : $"duplicates: {duplicated.Count} jobs");
        foreach (var job in duplicated)
        {
            output.WriteLine($"  {job.JobId}: {string.Join(", ", job.Duplicates)}");
        }

        output.WriteLine(times.Count == 0
            ? "job time: no job completed"
            : Invariant($"job time (created → completed): p50 {Percentile(times, 50):0.0} s, p99 {Percentile(times, 99):0.0} s, max {times[^1]:0.0} s; {times.Count / elapsed.TotalMinutes:0.0} jobs/min"));
        output.WriteLine("model requests: " + Counts(modelRequests));

        var backs = kills.Where(k => k.BackAfter is not null).Select(k => k.BackAfter!.Value.TotalSeconds).Order().ToList();
        output.WriteLine(Invariant($"kills: {kills.Count} ({Counts(kills.GroupBy(k => k.Resource).ToDictionary(g => g.Key, g => g.Count()))})") +
            (backs.Count == 0 ? "" : Invariant($"; back and healthy after p50 {Percentile(backs, 50):0.0} s, max {backs[^1]:0.0} s")));
        foreach (var kill in kills.Where(k => k.Problem is not null))
        {
            output.WriteLine($"  {kill.Resource} at {kill.At:hh\\:mm\\:ss}: {kill.Problem}");
        }

        output.WriteLine($"restarts announced ({SystemEventTypes.AgentRestarted}): {Counts(restartsAnnounced)}; " +
            $"crash loops ({SystemEventTypes.AgentCrashLoop}): {Counts(crashLoopsAnnounced)}");

        output.WriteLine(Invariant($"memory from the warm-up ({options.WarmUp.TotalMinutes:0.#} min) to the end (growth: the rise of the lowest reading, first third to last third of the longest-lived process, after its first {ProcessWarmUp.TotalMinutes:0} min):"));
        output.WriteLine(Invariant($"  {"process",-16} {"RSS start",9} {"RSS end",8} {"RSS MB/h",9} {"heap start",10} {"heap end",8} {"heap MB/h",9}  measured on"));
        foreach (var resource in MemorySampler.Resources)
        {
            var samples = memory.Where(s => s.Resource == resource && s.At >= options.WarmUp).ToList();
            if (samples.Count == 0)
            {
                continue;
            }

            var resident = Growth(samples, s => s.ResidentBytes);
            var heaps = samples.Where(s => s.HeapAfterGcBytes is not null).ToList();
            var heap = Growth(heaps, s => s.HeapAfterGcBytes!.Value);
            var measured = (heap ?? resident) is { } g ? Invariant($"one process over {g.Span.TotalMinutes:0} min") : Invariant($"no process ran {MinSpanForGrowth.TotalMinutes:0} min");
            var heapStart = heaps.Count > 0 ? Megabytes(heaps[0].HeapAfterGcBytes!.Value).ToString("0.0", CultureInfo.InvariantCulture) : "-";
            var heapEnd = heaps.Count > 0 ? Megabytes(heaps[^1].HeapAfterGcBytes!.Value).ToString("0.0", CultureInfo.InvariantCulture) : "-";
            output.WriteLine(Invariant(
                $"  {resource,-16} {Megabytes(samples[0].ResidentBytes),9:0.0} {Megabytes(samples[^1].ResidentBytes),8:0.0} {Rate(resident),9} {heapStart,10} {heapEnd,8} {Rate(heap),9}  {measured}"));

            // What an agent keeps is its heap; its resident size also follows the collector's sizing of that heap.
            if (heap is { PerHour: > MaxGrowthMegabytesPerHour } && AgentCatalogue.All.Any(a => a.Name == resource))
            {
                missed.Add(Invariant($"{resource}'s heap grew {heap.Value.PerHour:0.0} MB/h (target under {MaxGrowthMegabytesPerHour} MB/h)"));
            }
        }

        if (lost.Count > 0)
        {
            missed.Add($"{lost.Count} jobs lost");
        }

        if (duplicated.Count > 0)
        {
            missed.Add($"{duplicated.Count} jobs with duplicates");
        }

        MissedTargets = missed;
        output.WriteLine(missed.Count == 0
            ? "targets met: nothing lost, no duplicate, no agent's heap grew by 5 MB/h or more"
            : "targets missed: " + string.Join("; ", missed));
    }

    /// <summary>
    /// The growth of the process (of one resource) with the longest run in the samples, after its own first two minutes,
    /// in MB per hour: the rise of the floor, from the lowest reading of the first third of its run to the lowest of the
    /// last third (memory saws up and down with each collection; its floor is what it keeps). Null when no process ran
    /// long enough.
    /// </summary>
    private static (double PerHour, TimeSpan Span)? Growth(IReadOnlyList<MemorySample> samples, Func<MemorySample, long> bytes)
    {
        if (samples.Count == 0)
        {
            return null;
        }

        var longest = samples.GroupBy(s => s.ProcessId)
            .Select(g =>
            {
                var settled = g.Where(s => s.At >= g.First().At + ProcessWarmUp).ToList();
                return (Samples: settled, Span: settled.Count > 1 ? settled[^1].At - settled[0].At : TimeSpan.Zero);
            })
            .MaxBy(p => p.Span);
        if (longest.Span < MinSpanForGrowth || longest.Samples.Count < 3)
        {
            return null;
        }

        var third = Math.Max(1, longest.Samples.Count / 3);
        var first = longest.Samples.Take(third).MinBy(bytes)!;
        var last = longest.Samples.TakeLast(third).MinBy(bytes)!;
        var hours = (longest.Span - (longest.Span / 3)).TotalHours;
        return ((Megabytes(bytes(last)) - Megabytes(bytes(first))) / hours, longest.Span);
    }

    private static string Rate((double PerHour, TimeSpan Span)? growth) =>
        growth is { } g ? g.PerHour.ToString("0.0", CultureInfo.InvariantCulture) : "n/a";

    private static double Megabytes(long bytes) => bytes / (1024.0 * 1024.0);

    private static double Percentile(IReadOnlyList<double> sorted, double p) => Samples.Percentile(sorted, p);

    private static string Counts(IReadOnlyDictionary<string, int> counts) =>
        counts.Count == 0 ? "none" : string.Join(", ", counts.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key} {c.Value}"));

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
