using System.Globalization;
using MultiAgent.IntegrationTests.Infrastructure;

namespace MultiAgent.Soak;

/// <summary>One reading of a process's resident memory.</summary>
public sealed record MemorySample(string Resource, int ProcessId, TimeSpan At, long ResidentBytes);

/// <summary>
/// Reads the resident memory (VmRSS) of every agent's and server's current process every <see cref="Interval"/>, and
/// of this process (the AppHost, which Aspire.Hosting.Testing runs in-process, with the fakes).
/// </summary>
public sealed class MemorySampler(SystemFixture system, TimeProvider time)
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
            Sample();
        }
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false));
    }

    public void Sample()
    {
        var at = time.GetElapsedTime(_start);
        foreach (var resource in Resources)
        {
            var pid = resource == AppHost ? Environment.ProcessId : CurrentProcess(resource);
            if (pid is { } id && ResidentBytes(id) is { } bytes)
            {
                lock (_samples)
                {
                    _samples.Add(new MemorySample(resource, id, at, bytes));
                }
            }
        }
    }

    private int? CurrentProcess(string resource) =>
        system.App.ResourceNotifications.TryGetCurrentState(resource, out var state) ? ResourceProcesses.IdOf(state.Snapshot) : null;

    /// <summary>VmRSS from /proc/&lt;pid&gt;/status, or null when the process is gone.</summary>
    private static long? ResidentBytes(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            var kilobytes = line?.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];
            return kilobytes is null ? null : long.Parse(kilobytes, CultureInfo.InvariantCulture) * 1024;
        }
        catch (IOException)
        {
            return null;
        }
    }
}
