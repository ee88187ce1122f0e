using System.Globalization;

namespace MultiAgent.SystemBenchmarks.Pipeline;

/// <summary>The pipeline benchmark's command line: <c>[--jobs N] [--concurrency LIST] [--coders LIST] [--nats-nodes LIST]</c>.</summary>
/// <param name="Jobs">Jobs per level (each concurrency, with each number of Coders).</param>
/// <param name="Concurrency">Jobs in flight at once, one level each.</param>
/// <param name="Coders">Coder instances (<c>MultiAgent:Replicas:coder</c>), one system each.</param>
/// <param name="NatsNodes">NATS servers (<c>MultiAgent:Nats:ClusterSize</c>: 1, or a JetStream cluster of 3 or 5), one system each.</param>
public sealed record PipelineOptions(int Jobs, IReadOnlyList<int> Concurrency, IReadOnlyList<int> Coders, IReadOnlyList<int> NatsNodes)
{
    public const string Usage = "usage: pipeline [--jobs N per level (16)] [--concurrency LIST (1,4,16)] [--coders LIST (1,2)] [--nats-nodes LIST of 1, 3, 5 (1)]";

    public static PipelineOptions Parse(string[] args)
    {
        var options = new PipelineOptions(16, [1, 4, 16], [1, 2], [1]);
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : throw new ArgumentException($"{args[i]} needs a value. {Usage}");
            options = args[i] switch
            {
                "--jobs" => options with { Jobs = Number(args[i], value, 1, 1000) },
                "--concurrency" => options with { Concurrency = List(args[i], value, 1, 64) },
                "--coders" => options with { Coders = List(args[i], value, 1, 8) },
                "--nats-nodes" => options with { NatsNodes = ClusterSizes(args[i], value) },
                _ => throw new ArgumentException($"unknown option '{args[i]}'. {Usage}"),
            };
            i++;
        }

        return options;
    }

    private static IReadOnlyList<int> List(string name, string value, int min, int max) =>
        [.. value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(v => Number(name, v, min, max)).Distinct()];

    private static IReadOnlyList<int> ClusterSizes(string name, string value) =>
        List(name, value, 1, 5) is var sizes && sizes.All(size => size is 1 or 3 or 5)
            ? sizes
            : throw new ArgumentException($"{name} takes 1 (one server), 3 or 5 (a JetStream cluster) (got '{value}'). {Usage}");

    private static int Number(string name, string value, int min, int max) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number >= min && number <= max
            ? number
            : throw new ArgumentException($"{name} takes whole numbers from {min} to {max} (got '{value}'). {Usage}");
}
