using System.Globalization;

namespace MultiAgent.SystemBenchmarks.Soak;

/// <summary>The soak's command line: <c>[--minutes N] [--concurrency N] [--chaos-every SECONDS] [--seed N]</c>.</summary>
public sealed record SoakOptions(double Minutes, int Concurrency, double ChaosEverySeconds, int Seed)
{
    public const string Usage = "usage: soak [--minutes N (30)] [--concurrency N (2)] [--chaos-every SECONDS (180; 0 = no kills)] [--seed N]";

    public TimeSpan Duration => TimeSpan.FromMinutes(Minutes);

    public TimeSpan ChaosEvery => TimeSpan.FromSeconds(ChaosEverySeconds);

    /// <summary>Memory is compared from this point on, when the agents have settled (a tenth of the run, 1 to 5 minutes).</summary>
    public TimeSpan WarmUp => TimeSpan.FromMinutes(Math.Clamp(Minutes / 10, 1, 5));

    /// <exception cref="ArgumentException">An unknown option or a value out of range; the message says which.</exception>
    public static SoakOptions Parse(IReadOnlyList<string> args)
    {
        var options = new SoakOptions(30, 2, 180, Environment.TickCount & 0xFFFF);
        for (var i = 0; i < args.Count; i++)
        {
            var value = i + 1 < args.Count ? args[i + 1] : throw new ArgumentException($"{args[i]} needs a value. {Usage}");
            options = args[i] switch
            {
                "--minutes" => options with { Minutes = Number(args[i], value, min: 0.5, max: 24 * 60) },
                "--concurrency" => options with { Concurrency = (int)Number(args[i], value, min: 1, max: 64) },
                "--chaos-every" => options with { ChaosEverySeconds = Number(args[i], value, min: 0, max: 24 * 3600) },
                "--seed" => options with { Seed = (int)Number(args[i], value, min: 0, max: int.MaxValue) },
                _ => throw new ArgumentException($"unknown option '{args[i]}'. {Usage}"),
            };
            i++;
        }

        return options.ChaosEverySeconds is > 0 and < 30
            ? throw new ArgumentException("--chaos-every must be 0 (no kills) or at least 30 s: a part must be back before the next kill.")
            : options;
    }

    private static double Number(string name, string value, double min, double max) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && number >= min && number <= max
            ? number
            : throw new ArgumentException($"{name} must be a number from {min} to {max}, not '{value}'.");
}
