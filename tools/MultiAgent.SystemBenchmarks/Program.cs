using MultiAgent.SystemBenchmarks.Pipeline;
using MultiAgent.SystemBenchmarks.Soak;

// The benchmarks that run the whole system on this machine (not tests; each prints its figures and exits 1 when a
// target is missed): `soak` (./build.sh soak) and `pipeline` (./build.sh bench pipeline).
return args switch
{
    ["soak", .. var rest] => await SoakRun.RunAsync(rest),
    ["pipeline", .. var rest] => await PipelineRun.RunAsync(rest),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: MultiAgent.SystemBenchmarks soak [options] | pipeline [options]");
    Console.Error.WriteLine("  " + SoakOptions.Usage);
    Console.Error.WriteLine("  " + PipelineOptions.Usage);
    return 2;
}
