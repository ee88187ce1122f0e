using System.Globalization;

namespace MultiAgent.SystemBenchmarks.Pipeline;

/// <summary>The pipeline benchmark's command line: <c>[--jobs N] [--concurrency LIST] [--coders LIST]</c>.</summary>
/// <param name="Jobs">Jobs per level (each concurrency, with each number of Coders).</param>
/// <param name="Concurrency">Jobs in flight at once, one level each.</param>
/// <param name="Coders">Coder instances (<c>MultiAgent:Replicas:coder</c>), one system each.</param>
public sealed record PipelineOptions(int Jobs, IReadOnlyList<int> Concurrency, IReadOnlyList<int> Coders)
{
    public const string Usage = "usage: pipeline [--jobs N per level (16)] [--concurrency LIST (1,4,16)] [--coders LIST (1,2)]";

    public static PipelineOptions Parse(string[] args)
    {
        var options = new PipelineOptions(16, [1, 4, 16], [1, 2]);
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : throw new ArgumentException($"{args[i]} needs a value. {Usage}");
            options = args[i] switch
            {
                "--jobs" => options with { Jobs = Number(args[i], value, 1, 1000) },
                "--concurrency" => options with { Concurrency = List(args[i], value, 1, 64) },
                "--coders" => options with { Coders = List(args[i], value, 1, 8) },
                _ => throw new ArgumentException($"unknown option '{args[i]}'. {Usage}"),
            };
            i++;
        }

        return options;
    }

    private static IReadOnlyList<int> List(string name, string value, int min, int max) =>
        [.. value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(v => Number(name, v, min, max)).Distinct()];

    private static int Number(string name, string value, int min, int max) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number >= min && number <= max
            ? number
            : throw new ArgumentException($"{name} takes whole numbers from {min} to {max} (got '{value}'). {Usage}");
}
