using System.Diagnostics;
using System.IO.Compression;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace MultiAgent.IntegrationTests.Cli;

/// <summary>The CLI as a .NET tool: packed, installed from a local folder, run as multi-agent.</summary>
public sealed class CliPackagingTests
{
    private static readonly TimeSpan StepLimit = TimeSpan.FromSeconds(120);

    private static string Configuration =>
        typeof(CliPackagingTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";

    [Fact]
    public async Task The_packed_tool_installs_and_lists_its_commands()
    {
        var work = Path.Combine(Path.GetTempPath(), "multiagent-cli-tests", Guid.NewGuid().ToString("N"));
        var artifacts = Path.Combine(work, "artifacts");
        var tools = Path.Combine(work, "tools");
        Directory.CreateDirectory(artifacts);
        try
        {
            // The CLI was built with this test assembly: pack that build.
            var pack = await RunAsync(Dotnet, ["pack", CliProject, "-c", Configuration, "--no-build", "-o", artifacts]);
            Assert.True(pack.ExitCode == 0, pack.Output);
            var package = Assert.Single(Directory.GetFiles(artifacts, "MultiAgent.Cli.*.nupkg"));
            AssertLean(package);

            // Only the local folder as a source: a tool package carries its dependencies, so nothing else is needed.
            var config = Path.Combine(work, "nuget.config");
            await File.WriteAllTextAsync(config,
                $"""
                <?xml version="1.0" encoding="utf-8"?>
                <configuration>
                  <packageSources>
                    <clear />
                    <add key="artifacts" value="{artifacts}" />
                  </packageSources>
                </configuration>
                """);
            var install = await RunAsync(Dotnet, ["tool", "install", "MultiAgent.Cli", "--tool-path", tools, "--configfile", config]);
            Assert.True(install.ExitCode == 0, install.Output);

            var help = await RunAsync(Path.Combine(tools, "multi-agent"), ["--help"]);

            Assert.True(help.ExitCode == 0, help.Output);
            foreach (var command in new[]
                     {
                         "start-project", "submit-feature", "job-status", "list-jobs", "stop-job", "watch", "agents",
                         "approve-plan", "project-status", "list-projects", "stop-project", "completion",
                     })
            {
                Assert.Contains(command, help.StandardOutput);
            }

            // Shell completion: the script asks the tool itself what may come next.
            var script = await RunAsync(Path.Combine(tools, "multi-agent"), ["completion", "bash"]);
            Assert.True(script.ExitCode == 0, script.Output);
            Assert.Contains("complete -o default -F _multi_agent_complete multi-agent", script.StandardOutput);
            var suggested = await RunAsync(Path.Combine(tools, "multi-agent"), ["[suggest:14]", "multi-agent li"]);
            Assert.True(suggested.ExitCode == 0, suggested.Output);
            Assert.Equal(["list-jobs", "list-projects"], suggested.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        }
        finally
        {
            try
            {
                Directory.Delete(work, recursive: true);
            }
            catch (IOException)
            {
                // Left under the temp folder.
            }
        }
    }

    /// <summary>
    /// The tool runs on the .NET runtime alone (no ASP.NET Core shared framework) and carries no server-side
    /// dependencies: no PostgreSQL driver, no GitHub client, no ASP.NET Core or its instrumentation, none of the
    /// agents' libraries.
    /// </summary>
    private static void AssertLean(string package)
    {
        using var zip = ZipFile.OpenRead(package);
        const string tool = "tools/net10.0/any/";
        var runtimeConfig = Assert.Single(zip.Entries, entry => entry.FullName.StartsWith(tool, StringComparison.Ordinal)
            && entry.FullName.EndsWith(".runtimeconfig.json", StringComparison.Ordinal));
        using (var stream = runtimeConfig.Open())
        using (var document = JsonDocument.Parse(stream))
        {
            var options = document.RootElement.GetProperty("runtimeOptions");
            var frameworks = options.TryGetProperty("frameworks", out var list)
                ? list.EnumerateArray().Select(framework => framework.GetProperty("name").GetString()).ToList()
                : [options.GetProperty("framework").GetProperty("name").GetString()];
            Assert.Equal(["Microsoft.NETCore.App"], frameworks);
        }

        var assemblies = zip.Entries
            .Where(entry => entry.FullName.StartsWith(tool, StringComparison.Ordinal) && entry.Name.EndsWith(".dll", StringComparison.Ordinal))
            .Select(entry => entry.Name)
            .ToList();
        Assert.Contains("multi-agent.dll", assemblies);
        string[] absent =
        [
            "Npgsql", "Octokit", "Microsoft.AspNetCore.", "OpenTelemetry.", "Microsoft.Extensions.Http.Resilience",
            "MultiAgent.ServiceDefaults", "MultiAgent.Repositories.dll", "MultiAgent.Persistence", "MultiAgent.AgentRuntime",
        ];
        foreach (var prefix in absent)
        {
            Assert.DoesNotContain(assemblies, name => name.StartsWith(prefix, StringComparison.Ordinal));
        }
    }

    private static string Dotnet =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } hostPath && File.Exists(hostPath) ? hostPath : "dotnet";

    /// <summary>The dotnet installation this test runs on (…/shared/Microsoft.NETCore.App/&lt;version&gt;/ → …).</summary>
    private static string DotnetRoot => Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", ".."));

    private static string CliProject
    {
        get
        {
            for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            {
                var project = Path.Combine(directory.FullName, "src", "MultiAgent.Cli", "MultiAgent.Cli.csproj");
                if (File.Exists(project))
                {
                    return project;
                }
            }

            throw new InvalidOperationException("src/MultiAgent.Cli not found above " + AppContext.BaseDirectory);
        }
    }

    private sealed record Result(int ExitCode, string StandardOutput, string StandardError)
    {
        public string Output => StandardOutput + StandardError;
    }

    private static async Task<Result> RunAsync(string fileName, string[] arguments)
    {
        var startInfo = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        startInfo.Environment["DOTNET_ROOT"] = DotnetRoot;
        startInfo.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        startInfo.Environment["DOTNET_NOLOGO"] = "1";

        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"{fileName} did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(StepLimit);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} {string.Join(' ', arguments)} did not end within {StepLimit.TotalSeconds}s: {await stdout}{await stderr}");
        }

        return new Result(process.ExitCode, await stdout, await stderr);
    }
}
