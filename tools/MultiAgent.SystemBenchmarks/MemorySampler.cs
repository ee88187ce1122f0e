using System.Globalization;
using MultiAgent.IntegrationTests.Infrastructure;

namespace MultiAgent.SystemBenchmarks;

/// <summary>One reading of a process's resident memory and, for an agent, its managed heap after the last collection.</summary>
public sealed record MemorySample(string Resource, int ProcessId, TimeSpan At, long ResidentBytes, long? HeapAfterGcBytes = null);

/// <summary>
/// Reads the resident memory (VmRSS) of every agent's and server's current process every <see cref="Interval"/>, and
/// of this process (the AppHost, which Aspire.Hosting.Testing runs in-process, with the fakes); for each agent also the
/// managed heap after its last garbage collection, from its heartbeat (the agents query): what it really keeps, where a
/// leak shows, while the resident size also moves with the collector's own sizing.
/// </summary>
public sealed class MemorySampler(SystemFixture system, MultiAgent.Messaging.QueryClient queries, TimeProvider time)
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(15);
    public const string AppHost = "apphost+harness";
    public static readonly string[] Resources = [.. AppHostFixture.Agents, "nats", "postgres", AppHost];

    private readonly List<MemorySample> _samples = [];
    private readonly long _start = time.GetTimestamp();

    public IReadOnlyList<MemorySample> Samples
    {
        get
        {
            lock (_samples)
            {
                return [.. _samples];
            }
        }
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        do
        {
            await SampleAsync(cancellationToken);
        }
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false));
    }

    public async Task SampleAsync(CancellationToken cancellationToken)
    {
        var at = time.GetElapsedTime(_start);
        var heaps = await HeapsAsync(cancellationToken);
        foreach (var resource in Resources)
        {
            var pid = resource == AppHost ? Environment.ProcessId : CurrentProcess(resource);
            if (pid is { } id && ResidentBytes(id) is { } bytes)
            {
                lock (_samples)
                {
                    _samples.Add(new MemorySample(resource, id, at, bytes, heaps.GetValueOrDefault(resource)));
                }
            }
        }
    }

    /// <summary>Each healthy agent's heap after GC, by resource name; empty when the Repo Manager cannot answer now.</summary>
    private async Task<Dictionary<string, long?>> HeapsAsync(CancellationToken cancellationToken)
    {
        try
        {
            var reply = await queries.AgentsAsync(cancellationToken: cancellationToken);
            return reply.Agents.Where(a => a.Healthy)
                .GroupBy(a => MultiAgent.Contracts.AgentCatalogue.Of(a.AgentType).Name)
                .ToDictionary(g => g.Key, g => (long?)g.OrderByDescending(a => a.LastHeartbeat).First().HeapAfterGcBytes);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return [];
        }
    }

    private int? CurrentProcess(string resource) =>
        system.App.ResourceNotifications.TryGetCurrentState(resource, out var state) ? ResourceProcesses.IdOf(state.Snapshot) : null;

    /// <summary>VmRSS from /proc/&lt;pid&gt;/status, or null when the process is gone.</summary>
    public static long? ResidentBytes(int pid) => Kilobytes($"/proc/{pid}/status", "VmRSS:");

    /// <summary>
    /// Pss from /proc/&lt;pid&gt;/smaps_rollup (each resident page divided by the number of processes that map it: the
    /// runtime's and the framework's files, mapped by every .NET process, count once across them), or null.
    /// </summary>
    public static long? ProportionalBytes(int pid) => Kilobytes($"/proc/{pid}/smaps_rollup", "Pss:");

    private static long? Kilobytes(string file, string field)
    {
        try
        {
            var line = File.ReadLines(file).FirstOrDefault(l => l.StartsWith(field, StringComparison.Ordinal));
            var kilobytes = line?.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];
            return kilobytes is null ? null : long.Parse(kilobytes, CultureInfo.InvariantCulture) * 1024;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
