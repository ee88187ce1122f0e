using System.Diagnostics;
using MultiAgent.IntegrationTests.EndToEnd;
using MultiAgent.IntegrationTests.Infrastructure;

namespace MultiAgent.SystemBenchmarks.Soak;

/// <summary>One kill: what, when (since the start), and how long until the AppHost had it back and healthy.</summary>
public sealed record Kill(string Resource, TimeSpan At, TimeSpan? BackAfter, string? Problem);

/// <summary>
/// Every <see cref="SoakOptions.ChaosEvery"/> kills (SIGKILL) a random agent, nats-server or the PostgreSQL postmaster,
/// and waits for the AppHost's restart policy to bring it back; nothing here starts anything.
/// </summary>
public sealed class ChaosLoop(SystemFixture system, SoakOptions options, TextWriter log)
{
    public static readonly string[] Targets = [.. AppHostFixture.Agents, "nats", "postgres"];

    private readonly Random _random = new(options.Seed);
    private readonly List<Kill> _kills = [];

    public IReadOnlyList<Kill> Kills => _kills;

    public async Task RunAsync(Stopwatch clock, CancellationToken cancellationToken)
    {
        if (options.ChaosEvery <= TimeSpan.Zero)
        {
            return;
        }

        while (true)
        {
            // Somewhere between half and one and a half times the interval, so kills land at every step of a job.
            await Task.Delay(options.ChaosEvery * (0.5 + _random.NextDouble()), cancellationToken);
            var target = Targets[_random.Next(Targets.Length)];
            var at = clock.Elapsed;
            try
            {
                var killed = await SystemProcesses.KillAsync(system, target, alone: target is "nats" or "postgres");
                var back = Stopwatch.StartNew();
                await SystemProcesses.WaitUntilRestartedAsync(system, target, killed);
                _kills.Add(new Kill(target, at, back.Elapsed, null));
                await log.WriteLineAsync($"[{at:hh\\:mm\\:ss}] killed {target} (pid {killed}); back and healthy after {back.Elapsed.TotalSeconds:0.0} s");
            }
            catch (Exception ex) when (ex is TimeoutException or InvalidOperationException or ArgumentException)
            {
                _kills.Add(new Kill(target, at, null, ex.Message));
                await log.WriteLineAsync($"[{at:hh\\:mm\\:ss}] killing {target}: {ex.Message}");
            }
        }
    }
}
