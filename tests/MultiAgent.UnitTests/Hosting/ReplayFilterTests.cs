using MultiAgent.Hosting.Logs;

namespace MultiAgent.UnitTests.Hosting;

/// <summary>A restarted resource's earlier lines, handed over again by Aspire, are not written to its log file twice.</summary>
public sealed class ReplayFilterTests
{
    [Fact]
    public void Lines_of_the_earlier_run_handed_over_again_are_repeats_and_the_new_runs_lines_are_not()
    {
        var filter = new ReplayFilter();
        string?[] firstRun = ["2026-12-01T20:15:26.6300000Z", "2026-12-01T20:15:27.0000000Z", "2026-12-01T20:15:27.0000000Z", null];
        var written = firstRun.Select(filter.IsRepeat).ToList();

        // After the restart: the whole first run again, an Aspire line without a time, then the new run.
        var again = firstRun.Select(filter.IsRepeat).ToList();
        var newRun = new[] { "2026-12-01T20:43:46.1070000Z", "2026-12-01T20:43:46.1070000Z" }.Select(filter.IsRepeat).ToList();

        Assert.Equal([false, false, false, false], written);
        Assert.Equal([true, true, true, false], again);
        Assert.Equal([false, false], newRun);
    }
}
