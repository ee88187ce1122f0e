using System.Diagnostics;
using System.Globalization;
using System.Net;

// Measures the latency of GET <url> under <concurrency> concurrent clients for <seconds> seconds (after a warm-up),
// and prints count, throughput, p50/p90/p99/max and the status codes seen.
//   dotnet run --project tools/MultiAgent.Benchmarks -c Release -- [url] [concurrency] [seconds]
var url = args.Length > 0 ? args[0] : "http://localhost:5100/health";
var concurrency = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 32;
var seconds = args.Length > 2 ? double.Parse(args[2], CultureInfo.InvariantCulture) : 15;

using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
{
    Timeout = TimeSpan.FromSeconds(10),
};

await RunAsync(TimeSpan.FromSeconds(2), record: false);
var (latencies, statuses, elapsed) = await RunAsync(TimeSpan.FromSeconds(seconds), record: true);

latencies.Sort();
double Percentile(double p) => latencies.Count == 0 ? double.NaN : latencies[Math.Min(latencies.Count - 1, (int)Math.Ceiling(p / 100 * latencies.Count) - 1)];
Console.WriteLine($"GET {url}: {concurrency} concurrent clients, {elapsed.TotalSeconds:0.0} s, {Environment.ProcessorCount} cores");
Console.WriteLine($"requests {latencies.Count}, {latencies.Count / elapsed.TotalSeconds:0} req/s");
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"latency ms: p50 {Percentile(50):0.00}  p90 {Percentile(90):0.00}  p99 {Percentile(99):0.00}  max {latencies.LastOrDefault():0.00}"));
Console.WriteLine("status codes: " + string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}×{s.Value}")));
return latencies.Count > 0 && Percentile(99) < 100 ? 0 : 1;

async Task<(List<double> Latencies, Dictionary<string, int> Statuses, TimeSpan Elapsed)> RunAsync(TimeSpan duration, bool record)
{
    var latencies = new List<double>();
    var statuses = new Dictionary<string, int>();
    var clock = Stopwatch.StartNew();
    var workers = Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
    {
        var mine = new List<double>();
        var codes = new Dictionary<string, int>();
        while (clock.Elapsed < duration)
        {
            var started = Stopwatch.GetTimestamp();
            string code;
            try
            {
                using var response = await http.GetAsync(url, HttpCompletionOption.ResponseContentRead);
                code = ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture);
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                code = ex.GetType().Name;
            }

            mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            codes[code] = codes.GetValueOrDefault(code) + 1;
        }

        return (mine, codes);
    })).ToList();

    foreach (var (mine, codes) in await Task.WhenAll(workers))
    {
        if (!record)
        {
            continue;
        }

        latencies.AddRange(mine);
        foreach (var (code, count) in codes)
        {
            statuses[code] = statuses.GetValueOrDefault(code) + count;
        }
    }

    return (latencies, statuses, clock.Elapsed);
}
