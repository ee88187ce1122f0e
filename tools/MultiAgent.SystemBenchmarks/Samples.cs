using System.Diagnostics;

namespace MultiAgent.SystemBenchmarks;

/// <summary>Samples in milliseconds, with the percentiles the reports print.</summary>
public sealed class Samples
{
    private readonly List<double> _sorted;

    public Samples(IEnumerable<double> milliseconds) => _sorted = [.. milliseconds.Order()];

    public int Count => _sorted.Count;

    public double P50 => Percentile(50);

    public double P99 => Percentile(99);

    public double Max => _sorted.Count == 0 ? double.NaN : _sorted[^1];

    public double Percentile(double p) => _sorted.Count == 0 ? double.NaN : Percentile(_sorted, p);

    /// <summary>The nearest-rank percentile <paramref name="p"/> (0–100) of values sorted in ascending order (not empty).</summary>
    public static double Percentile(IReadOnlyList<double> sorted, double p) =>
        sorted[Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Count) - 1, 0, sorted.Count - 1)];

    /// <summary>Runs <paramref name="action"/> once to warm up, then <paramref name="rounds"/> times, timing each.</summary>
    public static async Task<Samples> TimeAsync(int rounds, Func<Task> action)
    {
        await action();
        var samples = new List<double>(rounds);
        for (var i = 0; i < rounds; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await action();
            samples.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        return new Samples(samples);
    }
}
