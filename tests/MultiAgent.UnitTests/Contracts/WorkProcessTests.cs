using System.Diagnostics;
using MultiAgent.Contracts;

namespace MultiAgent.UnitTests.Contracts;

/// <summary>The processes that do an agent's work (git, checks) run below the agent, and so does what they start.</summary>
public sealed class WorkProcessTests
{
    [Fact]
    public async Task A_work_process_and_the_processes_it_starts_run_below_the_agent()
    {
        // The shell waits for a line before it starts its child, so the child starts after the priority was set.
        var start = new ProcessStartInfo("/bin/sh")
        {
            ArgumentList = { "-c", "read line; cat /proc/$$/stat; cat /proc/self/stat" },
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start)!;

        WorkProcess.RunBelowTheAgent(process);
        await process.StandardInput.WriteLineAsync("go");
        process.StandardInput.Close();
        var lines = (await process.StandardOutput.ReadToEndAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        await process.WaitForExitAsync();

        // Nice 10, unless this test runs lower than that already (a process may not raise its priority unprivileged).
        var expected = Math.Max(10, NiceOf(File.ReadAllText("/proc/self/stat")));
        Assert.Equal(2, lines.Length);
        Assert.All(lines, stat => Assert.Equal(expected, NiceOf(stat)));
    }

    [Fact]
    public void A_process_that_has_already_exited_is_left_as_it_was()
    {
        using var process = Process.Start(new ProcessStartInfo("/bin/true") { UseShellExecute = false })!;
        process.WaitForExit();

        WorkProcess.RunBelowTheAgent(process);
    }

    /// <summary>The nice value in a /proc/[pid]/stat line: the 19th field, the 17th after the command's closing parenthesis.</summary>
    private static int NiceOf(string stat) =>
        int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[16], System.Globalization.CultureInfo.InvariantCulture);
}
