using MultiAgent.IntegrationTests.Infrastructure;

namespace MultiAgent.Testing;

/// <summary>The CLI against a running topology (the rest of <see cref="CliRunner"/> is shared with the unit tests).</summary>
public static partial class CliRunner
{
    /// <summary>
    /// Runs a command as NATS user <paramref name="user"/> of the topology (operator or viewer), with the CLI config
    /// file the AppHost wrote for that user (<c>--config</c>), and a 10 s timeout.
    /// </summary>
    public static Task<CliResult> RunAsAsync(AppHostFixture fixture, string user, params string[] args) =>
        RunAsync([.. args, "--config", fixture.CliConfigFile(user), "--timeout", "10"], null);
}
