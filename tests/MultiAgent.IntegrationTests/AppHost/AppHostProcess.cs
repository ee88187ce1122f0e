using System.Diagnostics;
using System.Reflection;

namespace MultiAgent.IntegrationTests.AppHost;

/// <summary>
/// Runs the AppHost as a child process the way a user does (<c>./build.sh run</c>: <c>dotnet …/MultiAgent.AppHost.dll</c>
/// with the http launch profile's environment) or, <c>asAzd</c>, the way azd does (<c>dotnet run --project
/// src/MultiAgent.AppHost -- …</c>), and captures its exit code and output.
/// </summary>
internal static class AppHostProcess
{
    public sealed record Result(int ExitCode, string StandardOutput, string StandardError)
    {
        public string Output => StandardOutput + StandardError;
    }

    private static string ProjectPath => Projects.MultiAgent_AppHost.ProjectPath;

    // The project's folder (ProjectPath names the project file or its folder).
    private static string ProjectDirectory =>
        ProjectPath.EndsWith(".csproj", StringComparison.Ordinal) ? Path.GetDirectoryName(ProjectPath)! : ProjectPath;

    private static string Configuration =>
        typeof(AppHostProcess).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";

    // What ./build.sh run sets from the http launch profile (src/MultiAgent.AppHost/Properties/launchSettings.json).
    private static readonly Dictionary<string, string> LaunchProfile = new()
    {
        ["ASPNETCORE_URLS"] = "http://localhost:18888",
        ["ASPNETCORE_ENVIRONMENT"] = "Development",
        ["DOTNET_ENVIRONMENT"] = "Development",
        ["ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL"] = "http://localhost:18889",
        ["ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL"] = "http://localhost:18890",
        ["ASPIRE_ALLOW_UNSECURED_TRANSPORT"] = "true",
    };

    public static async Task<Result> RunAsync(
        IEnumerable<string> appHostArguments, IDictionary<string, string>? environment = null, TimeSpan? timeout = null, bool asAzd = false)
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
        string[] command = asAzd
            ? ["run", "--no-build", "-c", Configuration, "--project", ProjectPath, "--"]
            : [Path.Combine(ProjectDirectory, "bin", Configuration, "net10.0", "MultiAgent.AppHost.dll")];
        foreach (var argument in command.Concat(appHostArguments))
        {
            startInfo.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in asAzd ? [] : LaunchProfile)
        {
            startInfo.Environment[key] = value;
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
