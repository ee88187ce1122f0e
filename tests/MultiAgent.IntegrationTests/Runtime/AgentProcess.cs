using System.Diagnostics;
using System.Text;
using MultiAgent.IntegrationTests.Infrastructure;

namespace MultiAgent.IntegrationTests.Runtime;

/// <summary>
/// A real agent process (the scripted test agent, built on the same runtime as the real agents), connected to the
/// fixture's NATS and PostgreSQL. Disposing it kills it; <see cref="StopAsync"/> asks it to stop (SIGTERM).
/// </summary>
internal sealed class AgentProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private int _disposed;

    private AgentProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int Id => _process.Id;

    /// <summary>The instance id the agent reports (see AgentIdentity).</summary>
    public string InstanceId => $"coder-{Environment.MachineName.ToLowerInvariant()}-{_process.Id}";

    public bool HasExited => _process.HasExited;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>
    /// Waits until the agent takes tasks: its consumer is set up (an agent sets the consumer's configuration as it starts,
    /// so a test that changes it must wait for this first, or the starting agent puts it back).
    /// </summary>
    public Task WaitUntilTakingTasksAsync(TimeSpan patience) =>
        Eventually.ReturnsAsync(_ => Task.FromResult(Output), output => output.Contains("is taking tasks", StringComparison.Ordinal),
            patience, $"agent {InstanceId} to take tasks");

    public static AgentProcess Start(string natsUrl, string databaseConnectionString, IDictionary<string, string>? settings = null)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "MultiAgent.TestAgent.dll");
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";
        var startInfo = new ProcessStartInfo(dotnet)
        {
            ArgumentList = { "exec", dll },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        startInfo.Environment["ConnectionStrings__nats"] = natsUrl;
        startInfo.Environment["ConnectionStrings__multiagentdb"] = databaseConnectionString;
        startInfo.Environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
        startInfo.Environment["DOTNET_ENVIRONMENT"] = "Development";
        startInfo.Environment["Logging__LogLevel__Default"] = "Information";
        startInfo.Environment["MultiAgent__TaskBus__AckWait"] = "00:00:03";
        startInfo.Environment["MultiAgent__Agent__HeartbeatInterval"] = "00:00:01";
        startInfo.Environment["MultiAgent__Agent__ShutdownGracePeriod"] = "00:00:05";
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            startInfo.Environment[key] = value;
        }

        return new AgentProcess(Process.Start(startInfo) ?? throw new InvalidOperationException("the test agent did not start"));
    }

    /// <summary>kill -9: no shutdown code runs, in-flight work is simply lost to the process.</summary>
    public void KillHard()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
    }

    /// <summary>Waits for the process to exit on its own; returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(deadline.Token);
        return _process.ExitCode;
    }

    /// <summary>SIGTERM, then waits for the process to exit on its own.</summary>
    public async Task<int> StopAsync(TimeSpan timeout)
    {
        if (!_process.HasExited)
        {
            using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            await kill!.WaitForExitAsync();
        }

        return await WaitForExitAsync(timeout);
    }

    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            KillHard();
            _process.Dispose();
        }

        return ValueTask.CompletedTask;
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}
