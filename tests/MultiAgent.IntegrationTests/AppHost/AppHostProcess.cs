using System.Diagnostics;
using System.Reflection;

namespace MultiAgent.IntegrationTests.AppHost;

/// <summary>
/// Runs the AppHost the way a user or azd does (<c>dotnet run --project src/MultiAgent.AppHost -- …</c>), as a child
/// process, and captures its exit code and output.
/// </summary>
internal static class AppHostProcess
{
    public sealed record Result(int ExitCode, string StandardOutput, string StandardError)
    {
        public string Output => StandardOutput + StandardError;
    }

    private static string ProjectPath => Projects.MultiAgent_AppHost.ProjectPath;

    private static string Configuration =>
        typeof(AppHostProcess).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";

    public static async Task<Result> RunAsync(
        IEnumerable<string> appHostArguments, IDictionary<string, string>? environment = null, TimeSpan? timeout = null)
    {
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } hostPath && File.Exists(hostPath)
            ? hostPath
            : "dotnet";
        var startInfo = new ProcessStartInfo(dotnet)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "run", "--no-build", "-c", Configuration, "--project", ProjectPath, "--" }.Concat(appHostArguments))
        {
            startInfo.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            startInfo.Environment[key] = value;
        }

        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException("dotnet did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"The AppHost did not exit within the time limit. Output so far: {await stdout}{await stderr}");
        }

        return new Result(process.ExitCode, await stdout, await stderr);
    }
}
