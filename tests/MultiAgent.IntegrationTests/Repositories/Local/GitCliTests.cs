using MultiAgent.Repositories;
using MultiAgent.Repositories.Git;
using MultiAgent.Secrets;

namespace MultiAgent.IntegrationTests.Repositories.Local;

/// <summary>The git runner: environment, secrets, failures, timeout and cancellation. Only loopback addresses are used.</summary>
public sealed class GitCliTests : IDisposable
{
    private const string Secret = "s3cr3t-value-4f7a1c";

    /// <summary>No proxy may turn a loopback URL into a request to another machine.</summary>
    private static readonly Dictionary<string, string?> NoProxy = new()
    {
        ["http_proxy"] = null, ["https_proxy"] = null, ["HTTP_PROXY"] = null, ["HTTPS_PROXY"] = null,
        ["all_proxy"] = null, ["ALL_PROXY"] = null, ["NO_PROXY"] = "*", ["no_proxy"] = "*",
    };

    private readonly GitSandbox _sandbox = new();

    public void Dispose() => _sandbox.Dispose();

    [Fact]
    public async Task A_command_reads_the_standard_input_it_is_given_and_one_that_does_not_read_it_still_succeeds()
    {
        var blob = await _sandbox.Git.RunAsync(_sandbox.Root, ["hash-object", "--stdin"], new GitRunOptions { StandardInput = "hello\n" });
        var ignored = await _sandbox.Git.RunAsync(_sandbox.Root, ["--version"], new GitRunOptions { StandardInput = new string('x', 1 << 20) });

        Assert.Equal("ce013625030ba8dba906f756967f9e9ca394464a", blob.Output.Trim()); // git's id of the blob "hello\n"
        Assert.True(ignored.Succeeded);
        Assert.StartsWith("git version", ignored.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_header_secret_never_appears_in_the_exception_of_a_clone_from_a_closed_loopback_port()
    {
        var port = LoopbackHttpServer.ClosedPort();
        var run = new GitRunOptions
        {
            HttpHeaders = new Dictionary<string, string> { ["Authorization"] = "Bearer " + Secret },
            Environment = NoProxy,
        };

        var error = await Assert.ThrowsAsync<RepositoryHostException>(() =>
            _sandbox.Git.RunAsync(_sandbox.Root, ["clone", $"https://127.0.0.1:{port}/octo/hello.git", "clone"], run));

        Assert.Equal(RepositoryErrorKind.Unavailable, error.Kind);
        Assert.True(error.IsRetryable);
        Assert.Contains($"127.0.0.1:{port}", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Headers_reach_the_server_through_the_environment_and_are_redacted_from_traced_output()
    {
        await using var server = new LoopbackHttpServer("500 Internal Server Error");
        var environment = new Dictionary<string, string?>(NoProxy) { ["GIT_TRACE_CURL"] = "1", ["GIT_TRACE_CURL_NO_DATA"] = "1" };
        var run = new GitRunOptions
        {
            // A custom header: git's own trace redaction only knows Authorization and cookies.
            HttpHeaders = new Dictionary<string, string> { ["X-Deploy-Token"] = Secret },
            Environment = environment,
            ThrowOnFailure = false,
        };

        var result = await _sandbox.Git.RunAsync(_sandbox.Root, ["ls-remote", $"http://127.0.0.1:{server.Port}/octo/hello.git"], run);

        Assert.False(result.Succeeded);
        Assert.Contains("X-Deploy-Token: " + Secret, server.Requests[0], StringComparison.Ordinal);
        Assert.Contains(SecretRedactor.Mask, result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Configured_secrets_are_removed_from_the_failure_message_even_when_git_prints_them()
    {
        await using var server = new LoopbackHttpServer("500 Internal Server Error");
        var run = new GitRunOptions { Secrets = [Secret], Environment = NoProxy };

        var error = await Assert.ThrowsAsync<RepositoryHostException>(() =>
            _sandbox.Git.RunAsync(_sandbox.Root, ["ls-remote", $"http://127.0.0.1:{server.Port}/{Secret}/hello.git"], run));

        Assert.Equal(RepositoryErrorKind.Unavailable, error.Kind);
        Assert.Contains($"/{SecretRedactor.Mask}/hello.git", error.Message, StringComparison.Ordinal);
        Assert.Contains("returned error: 500", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Global_configuration_in_HOME_is_not_read()
    {
        var home = Path.Combine(_sandbox.Root, "home");
        Directory.CreateDirectory(home);
        await File.WriteAllTextAsync(Path.Combine(home, ".gitconfig"), "[user]\n\tname = Leaked From Home\n");
        var run = new GitRunOptions { Environment = new Dictionary<string, string?> { ["HOME"] = home, ["XDG_CONFIG_HOME"] = home }, ThrowOnFailure = false };

        var result = await _sandbox.Git.RunAsync(_sandbox.Root, ["config", "--get", "user.name"], run);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(string.Empty, result.Output);
    }

    [Fact]
    public void The_environment_drops_inherited_repository_and_trace_variables_but_keeps_transport_settings()
    {
        var environment = new Dictionary<string, string?>
        {
            ["GIT_DIR"] = "/elsewhere/.git",
            ["GIT_WORK_TREE"] = "/elsewhere",
            ["GIT_TRACE_CURL"] = "1",
            ["GIT_CONFIG_PARAMETERS"] = "'core.sshCommand'='evil'",
            ["GIT_CONFIG_KEY_7"] = "core.hooksPath",
            ["GIT_AUTHOR_NAME"] = "Someone Else",
            ["GIT_SSL_CAINFO"] = "/etc/ssl/certs/ca.pem",
            ["PATH"] = "/usr/bin",
        };

        GitEnvironment.Apply(environment, new GitRunOptions
        {
            Identity = new GitIdentity("Agent", "agent@example.test"),
            HttpHeaders = new Dictionary<string, string> { ["Authorization"] = "Bearer x" },
        });

        foreach (var removed in new[] { "GIT_DIR", "GIT_WORK_TREE", "GIT_TRACE_CURL", "GIT_CONFIG_PARAMETERS", "GIT_CONFIG_KEY_7" })
        {
            Assert.False(environment.ContainsKey(removed), removed);
        }

        Assert.Equal("/etc/ssl/certs/ca.pem", environment["GIT_SSL_CAINFO"]);
        Assert.Equal("/usr/bin", environment["PATH"]);
        Assert.Equal("0", environment["GIT_TERMINAL_PROMPT"]);
        Assert.Equal("1", environment["GIT_CONFIG_NOSYSTEM"]);
        Assert.Equal("/dev/null", environment["GIT_CONFIG_GLOBAL"]);
        Assert.Equal("Agent", environment["GIT_AUTHOR_NAME"]);
        Assert.Equal("agent@example.test", environment["GIT_COMMITTER_EMAIL"]);
        // Hooks and the file-system monitor are off for every command, then the per-command entries.
        Assert.Equal("3", environment["GIT_CONFIG_COUNT"]);
        Assert.Equal("core.hooksPath", environment["GIT_CONFIG_KEY_0"]);
        Assert.Equal("/dev/null", environment["GIT_CONFIG_VALUE_0"]);
        Assert.Equal("core.fsmonitor", environment["GIT_CONFIG_KEY_1"]);
        Assert.Equal("false", environment["GIT_CONFIG_VALUE_1"]);
        Assert.Equal("http.extraHeader", environment["GIT_CONFIG_KEY_2"]);
        Assert.Equal("Authorization: Bearer x", environment["GIT_CONFIG_VALUE_2"]);
    }

    [Fact]
    public async Task A_failing_command_is_GitFailed_with_git_s_message()
    {
        var error = await Assert.ThrowsAsync<RepositoryHostException>(() =>
            _sandbox.Git.RunAsync(_sandbox.Root, ["--git-dir=" + _sandbox.Root, "rev-parse", "--verify", "no-such-thing"]));

        Assert.Equal(RepositoryErrorKind.GitFailed, error.Kind);
        Assert.Contains("git --git-dir=", error.Message, StringComparison.Ordinal);
        Assert.Contains("not a git repository", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_command_past_its_timeout_is_stopped_and_reported_as_unavailable()
    {
        await using var server = new LoopbackHttpServer(status: null);
        var run = new GitRunOptions { Environment = NoProxy, Timeout = TimeSpan.FromSeconds(2) };

        var error = await Assert.ThrowsAsync<RepositoryHostException>(() =>
            _sandbox.Git.RunAsync(_sandbox.Root, ["ls-remote", $"http://127.0.0.1:{server.Port}/octo/hello.git"], run));

        Assert.Equal(RepositoryErrorKind.Unavailable, error.Kind);
        Assert.Contains("did not finish within 2s", error.Message, StringComparison.Ordinal);
        Assert.NotEmpty(server.Requests);
    }

    [Fact]
    public async Task Cancelling_stops_the_command()
    {
        await using var server = new LoopbackHttpServer(status: null);
        using var cancellation = new CancellationTokenSource();
        var run = new GitRunOptions { Environment = NoProxy, Timeout = TimeSpan.FromMinutes(5) };

        var command = _sandbox.Git.RunAsync(_sandbox.Root, ["ls-remote", $"http://127.0.0.1:{server.Port}/octo/hello.git"], run, cancellation.Token);
        await server.FirstRequest.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => command.WaitAsync(TimeSpan.FromSeconds(30)));
    }
}
