using MultiAgent.Cli;
using MultiAgent.Cli.Commands;

namespace MultiAgent.UnitTests.Cli;

/// <summary>
/// The CLI without a system: usage errors (exit 2, nothing sent: the NATS URL is a closed port, so any attempt to
/// connect would show as exit 1), an unreachable NATS (exit 1, quickly, with a helpful message), connection settings,
/// plain output.
/// </summary>
public sealed class CliUsageTests
{
    private const string Unreachable = "nats://127.0.0.1:1";

    [Fact]
    public async Task An_invalid_repository_is_a_usage_error_and_nothing_is_sent()
    {
        var result = await CliRunner.RunAsync("start-project", "--repo", "not a repository", "--requirements", "Add a /version endpoint", "--nats", Unreachable);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("invalid repository", result.Stderr);
        Assert.Contains("not a repository", result.Stderr);
        Assert.DoesNotContain("cannot reach", result.Stderr);
        Assert.Equal("", result.Stdout);
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    [InlineData(" ; \n ;")]
    public async Task Empty_requirements_are_a_usage_error_and_nothing_is_sent(string requirements)
    {
        var result = await CliRunner.RunAsync("start-project", "--repo", "https://github.com/acme/shop", "--requirements", requirements, "--nats", Unreachable);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("--requirements is empty", result.Stderr);
        Assert.DoesNotContain("cannot reach", result.Stderr);
    }

    [Fact]
    public async Task Start_project_checks_its_budget_before_connecting()
    {
        var result = await CliRunner.RunAsync("start-project", "--repo", "https://github.com/acme/shop", "--requirements", "Add a /version endpoint",
            "--budget", "tokens:lots", "--nats", Unreachable);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("--budget 'tokens:lots': the tokens of a budget must be a positive number", result.Stderr);
        Assert.DoesNotContain("cannot reach", result.Stderr);
    }

    [Theory]
    [InlineData("--max-iterations", "0", "--max-iterations must be between 1 and 10")]
    [InlineData("--max-iterations", "11", "--max-iterations must be between 1 and 10")]
    [InlineData("--priority", "urgent", "'urgent'")]
    [InlineData("--title", " ", "--title is empty")]
    [InlineData("--requirements", ",,", "--requirements is empty")]
    [InlineData("--branch", "--upload-pack=touch /tmp/owned", "--branch '--upload-pack=touch /tmp/owned' is not a valid git branch name: it starts with '-'")]
    [InlineData("--branch", "main..dev", "is not a valid git branch name: it contains '..'")]
    [InlineData("--branch", "feature/x.lock", "a part of it starts with '.' or ends with '.lock'")]
    [InlineData("--branch", "a b", "it contains a space")]
    [InlineData("--budget", "1000", "--budget '1000' is not a budget item: use tokens:N and/or cost:X")]
    [InlineData("--budget", "tokens:-5", "--budget 'tokens:-5': the tokens of a budget must be a positive number")]
    [InlineData("--budget", "cost:0", "--budget 'cost:0': the cost of a budget must be a positive number")]
    [InlineData("--budget", "dollars:3", "--budget 'dollars:3' is not a budget item")]
    [InlineData("--budget", ",", "--budget a budget needs tokens:N and/or cost:X")]
    public async Task Submit_feature_checks_its_input_before_connecting(string option, string value, string message)
    {
        var args = new List<string> { "submit-feature", "--repo", "/srv/repos/shop.git", "--description", "a feature", "--nats", Unreachable };
        if (option != "--title")
        {
            args.AddRange(["--title", "A feature"]);
        }

        args.AddRange([option, value]);
        var result = await CliRunner.RunAsync([.. args], null);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains(message, result.Stderr);
        Assert.DoesNotContain("cannot reach", result.Stderr);
    }

    [Theory]
    [InlineData("frobnicate")]
    [InlineData("job-status")]
    [InlineData("start-project", "--repo", "/srv/repos/shop.git")]
    [InlineData("list-jobs", "--limit", "many")]
    [InlineData("list-jobs", "--limit", "500")]
    [InlineData("list-jobs", "--status", "HALF_DONE")]
    [InlineData("job-status", "not.a.job")]
    [InlineData("approve")]
    [InlineData("reject")]
    [InlineData("approve", "not.a.job")]
    [InlineData("reject", "job-*")]
    [InlineData("approve", "job-123456789012", "job-123456789013")]
    [InlineData("reject", "job-123456789012", "--comment", "wrong option")]
    [InlineData("approve", "job-123456789012", "--reason", "wrong option")]
    [InlineData("approve", "job-123456789012", "--comment")]
    [InlineData("notify", "test", "--channel", "teams")]
    [InlineData("notify", "send")]
    public async Task Bad_arguments_exit_with_2(params string[] args)
    {
        var result = await CliRunner.RunAsync([.. args, "--nats", Unreachable], null);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("error:", result.Stderr);
        Assert.DoesNotContain("cannot reach", result.Stderr);
    }

    [Fact]
    public async Task A_url_that_is_not_a_NATS_url_is_a_usage_error_that_names_the_scheme_and_hides_the_password()
    {
        var result = await CliRunner.RunAsync("list-jobs", "--nats", "http://admin:s3cr3t-pw@localhost:4222");

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("--nats: 'http://***@localhost:4222' is not a NATS URL: the scheme must be nats, tls, ws or wss, not http", result.Stderr);
        Assert.DoesNotContain("s3cr3t-pw", result.Stderr);
        Assert.DoesNotContain("Exception", result.Stderr);
    }

    [Fact]
    public async Task A_request_too_large_for_the_bus_is_a_usage_error()
    {
        var result = await CliRunner.RunAsync("start-project", "--repo", "/srv/repos/shop.git", "--requirements", new string('x', 1_100_000), "--nats", Unreachable);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("the request is too large", result.Stderr);
        Assert.DoesNotContain("cannot reach", result.Stderr);
    }

    [Fact]
    public async Task An_unreachable_NATS_fails_within_the_timeout_with_a_helpful_message()
    {
        var result = await CliRunner.RunAsync("start-project", "--repo", "https://github.com/acme/shop", "--requirements", "Add a /version endpoint",
            "--nats", Unreachable, "--timeout", "2");

        Assert.Equal(ExitCodes.Failure, result.ExitCode);
        Assert.Contains("cannot reach NATS at nats://127.0.0.1:1 (connection refused)", result.Stderr);
        Assert.Contains("is the AppHost running? (./build.sh run)", result.Stderr);
        Assert.True(result.Elapsed < TimeSpan.FromSeconds(10), $"took {result.Elapsed}");
        Assert.Equal("", result.Stdout);
    }

    [Theory]
    [InlineData("job-status", "job-123456789012")]
    [InlineData("list-jobs")]
    [InlineData("stop-job", "job-123456789012")]
    [InlineData("approve", "job-123456789012", "--comment", "ship it")]
    [InlineData("reject", "job-123456789012", "--reason", "not like this", "--json")]
    [InlineData("watch", "job-123456789012")]
    [InlineData("agents", "--json")]
    public async Task Every_command_reports_an_unreachable_NATS_with_exit_code_1(params string[] args)
    {
        var result = await CliRunner.RunAsync([.. args, "--nats", Unreachable, "--timeout", "2"], null);

        Assert.Equal(ExitCodes.Failure, result.ExitCode);
        Assert.Contains("cannot reach NATS at nats://127.0.0.1:1", result.Stderr);
        Assert.Equal("", result.Stdout);
    }

    [Fact]
    public async Task Credentials_are_never_printed()
    {
        var inUrl = await CliRunner.RunAsync("list-jobs", "--nats", "nats://alice:hunter2secret@127.0.0.1:1", "--timeout", "2");
        var token = await CliRunner.RunAsync(["list-jobs", "--timeout", "2"],
            CliRunner.Environment((NatsSettingsVariable, "nats://s3cr3t-token-value@127.0.0.1:1")));
        var malformed = await CliRunner.RunAsync("list-jobs", "--nats", "nats://alice:hunter2secret@[bad");

        Assert.Equal(ExitCodes.Failure, inUrl.ExitCode);
        Assert.Contains("nats://127.0.0.1:1", inUrl.Stderr);
        Assert.DoesNotContain("hunter2secret", inUrl.Stderr + inUrl.Stdout);
        Assert.Equal(ExitCodes.Failure, token.ExitCode);
        Assert.DoesNotContain("s3cr3t-token-value", token.Stderr + token.Stdout);
        Assert.Equal(ExitCodes.Usage, malformed.ExitCode);
        Assert.DoesNotContain("hunter2secret", malformed.Stderr);
    }

    [Fact]
    public async Task The_URL_comes_from_the_option_then_the_environment_then_the_config_file()
    {
        var home = Path.Combine(Path.GetTempPath(), "multiagent-cli-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(home, ".config", "multi-agent"));
        await File.WriteAllTextAsync(Path.Combine(home, ".config", "multi-agent", "config.json"),
            """{"nats": "nats://127.0.0.3:1", "user": "carol", "password": "config-password-1"}""");
        var withConfig = new Dictionary<string, string?> { ["HOME"] = home };
        var withBoth = new Dictionary<string, string?> { ["HOME"] = home, [NatsSettingsVariable] = "nats://127.0.0.2:1" };

        var fromConfig = await CliRunner.RunAsync(["agents", "--timeout", "2"], withConfig);
        var fromEnvironment = await CliRunner.RunAsync(["agents", "--timeout", "2"], withBoth);
        var fromOption = await CliRunner.RunAsync(["agents", "--timeout", "2", "--nats", Unreachable], withBoth);

        Assert.Contains("nats://127.0.0.3:1", fromConfig.Stderr);
        Assert.Contains("nats://127.0.0.2:1", fromEnvironment.Stderr);
        Assert.Contains("nats://127.0.0.1:1", fromOption.Stderr);
        Assert.DoesNotContain("config-password-1", fromConfig.Stderr + fromEnvironment.Stderr + fromOption.Stderr);
    }

    [Fact]
    public async Task The_config_file_comes_from_the_option_then_the_environment_then_the_home_folder()
    {
        var home = Path.Combine(Path.GetTempPath(), "multiagent-cli-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(home, ".config", "multi-agent"));
        await File.WriteAllTextAsync(Path.Combine(home, ".config", "multi-agent", "config.json"), """{"nats": "nats://127.0.0.3:1"}""");
        var viewer = Path.Combine(home, "viewer.json");
        await File.WriteAllTextAsync(viewer, """{"nats": "nats://127.0.0.4:1", "user": "viewer", "password": "viewer-password-1"}""");
        var operatorFile = Path.Combine(home, "operator.json");
        await File.WriteAllTextAsync(operatorFile, """{"nats": "nats://127.0.0.5:1", "user": "operator", "password": "operator-password-1"}""");
        var withVariable = new Dictionary<string, string?> { ["HOME"] = home, ["MULTIAGENT_CONFIG"] = viewer };

        var fromHome = await CliRunner.RunAsync(["agents", "--timeout", "2"], new Dictionary<string, string?> { ["HOME"] = home });
        var fromVariable = await CliRunner.RunAsync(["agents", "--timeout", "2"], withVariable);
        var fromOption = await CliRunner.RunAsync(["agents", "--timeout", "2", "--config", operatorFile], withVariable);
        var missing = await CliRunner.RunAsync(["agents", "--timeout", "2", "--config", Path.Combine(home, "nope.json")], withVariable);
        var missingFromVariable = await CliRunner.RunAsync(
            ["agents", "--timeout", "2"], new Dictionary<string, string?> { ["HOME"] = home, ["MULTIAGENT_CONFIG"] = "/no/such/config.json" });

        Assert.Contains("nats://127.0.0.3:1", fromHome.Stderr);
        Assert.Contains("nats://127.0.0.4:1", fromVariable.Stderr);
        Assert.Contains("nats://127.0.0.5:1", fromOption.Stderr);
        Assert.Equal(ExitCodes.Usage, missing.ExitCode);
        Assert.Contains("--config: the config file", missing.Stderr);
        Assert.Contains("nope.json' does not exist", missing.Stderr);
        Assert.Equal(ExitCodes.Usage, missingFromVariable.ExitCode);
        Assert.Contains("$MULTIAGENT_CONFIG", missingFromVariable.Stderr);
        Assert.DoesNotContain("-password-1", fromHome.Stderr + fromVariable.Stderr + fromOption.Stderr + missing.Stderr);
    }

    [Fact]
    public async Task A_missing_creds_file_or_a_broken_config_file_is_a_usage_error()
    {
        var missingCreds = await CliRunner.RunAsync("agents", "--nats", Unreachable, "--creds", "/no/such/file.creds");
        var home = Path.Combine(Path.GetTempPath(), "multiagent-cli-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(home, "multi-agent"));
        await File.WriteAllTextAsync(Path.Combine(home, "multi-agent", "config.json"), "{ not json");
        var brokenConfig = await CliRunner.RunAsync(["agents", "--nats", Unreachable], new Dictionary<string, string?> { ["XDG_CONFIG_HOME"] = home });

        Assert.Equal(ExitCodes.Usage, missingCreds.ExitCode);
        Assert.Contains("/no/such/file.creds", missingCreds.Stderr);
        Assert.Equal(ExitCodes.Usage, brokenConfig.ExitCode);
        Assert.Contains("config.json is not valid JSON", brokenConfig.Stderr);
    }

    [Theory]
    [InlineData("start-project", "--requirements", "Add a /version endpoint")]
    [InlineData("submit-feature", "--title", "A feature", "--description", "a feature")]
    public async Task A_local_repository_outside_the_config_files_roots_is_refused_with_exit_2_before_connecting(params string[] command)
    {
        var folder = Directory.CreateTempSubdirectory("ma-roots-").FullName;
        var root = Directory.CreateDirectory(Path.Combine(folder, "repos")).FullName;
        var outside = Directory.CreateDirectory(Path.Combine(folder, "elsewhere", "x.git")).FullName;
        var sibling = Path.Combine(folder, "repos-evil", "x.git");
        var link = Path.Combine(root, "link.git");
        Directory.CreateSymbolicLink(link, outside);
        var config = Path.Combine(folder, "operator.json");
        await File.WriteAllTextAsync(config, $$"""{"nats": "{{Unreachable}}", "user": "operator", "password": "pw", "localRepositoryRoots": ["{{root}}"]}""");
        Task<CliResult> Submit(string repository) =>
            CliRunner.RunAsync([command[0], "--repo", repository, .. command[1..], "--config", config, "--timeout", "2"], null);

        var refused = await Submit(outside);
        var viaFileUrl = await Submit("file://" + sibling);
        var viaLink = await Submit(link);
        var inside = await Submit(Path.Combine(root, "demo.git"));
        var gitHub = await Submit("https://github.com/acme/shop");

        Assert.Equal(ExitCodes.Usage, refused.ExitCode);
        Assert.Equal($"error: {outside} is not under an allowed local repository root (MultiAgent:LocalGit:AllowedRoots: {root})", refused.Stderr.TrimEnd());
        Assert.Equal("", refused.Stdout);
        Assert.Equal(ExitCodes.Usage, viaFileUrl.ExitCode);
        Assert.Contains($"{sibling} is not under an allowed local repository root", viaFileUrl.Stderr);
        Assert.Equal(ExitCodes.Usage, viaLink.ExitCode);
        Assert.Contains($"{link} (which leads to {outside}) is not under", viaLink.Stderr);
        // Inside the roots (existing here or not) and on GitHub: submitted, so the unreachable NATS is what fails.
        foreach (var submitted in new[] { inside, gitHub })
        {
            Assert.Equal(ExitCodes.Failure, submitted.ExitCode);
            Assert.Contains("cannot reach NATS", submitted.Stderr);
        }

        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public async Task Without_roots_in_the_config_file_a_local_path_is_submitted_as_before_and_malformed_roots_are_a_usage_error()
    {
        var folder = Directory.CreateTempSubdirectory("ma-roots-").FullName;
        var older = Path.Combine(folder, "older.json");
        await File.WriteAllTextAsync(older, $$"""{"nats": "{{Unreachable}}"}""");
        var malformed = Path.Combine(folder, "malformed.json");
        await File.WriteAllTextAsync(malformed, $$"""{"nats": "{{Unreachable}}", "localRepositoryRoots": "/srv/repos"}""");
        var empty = Path.Combine(folder, "empty.json");
        await File.WriteAllTextAsync(empty, $$"""{"nats": "{{Unreachable}}", "localRepositoryRoots": []}""");
        Task<CliResult> Submit(string config) =>
            CliRunner.RunAsync(["start-project", "--repo", "/srv/repos/shop.git", "--requirements", "x", "--config", config, "--timeout", "2"], null);

        var withoutRoots = await Submit(older);
        var withMalformed = await Submit(malformed);
        var withNone = await Submit(empty);

        Assert.Equal(ExitCodes.Failure, withoutRoots.ExitCode);
        Assert.Contains("cannot reach NATS", withoutRoots.Stderr);
        Assert.Equal(ExitCodes.Usage, withMalformed.ExitCode);
        Assert.Contains("'localRepositoryRoots' must be a list of folders", withMalformed.Stderr);
        Assert.Equal(ExitCodes.Usage, withNone.ExitCode);
        Assert.Contains("/srv/repos/shop.git is not under an allowed local repository root (MultiAgent:LocalGit:AllowedRoots is empty", withNone.Stderr);
        Directory.Delete(folder, recursive: true);
    }

    [Theory]
    [InlineData("bash", "complete -o default -F _multi_agent_complete multi-agent")]
    [InlineData("zsh", "compdef _multi_agent multi-agent")]
    [InlineData("fish", "complete -c multi-agent")]
    public async Task Completion_prints_a_script_for_the_shell_that_asks_the_tool_what_comes_next(string shell, string expected)
    {
        var result = await CliRunner.RunAsync("completion", shell);

        Assert.Equal(ExitCodes.Ok, result.ExitCode);
        Assert.Contains(expected, result.Stdout);
        Assert.Contains("[suggest:", result.Stdout);
        Assert.Equal("", result.Stderr);
    }

    [Fact]
    public async Task The_suggest_directive_the_scripts_use_completes_commands_options_and_their_values()
    {
        // As the shells call it: the position is the cursor's in the whole line (its length, at the end).
        static Task<CliResult> Suggest(string line) => CliRunner.RunAsync($"[suggest:{line.Length}]", line);
        var commands = await Suggest("multi-agent li");
        var options = await Suggest("multi-agent list-projects --st");
        var shells = await Suggest("multi-agent completion ");
        var states = await Suggest("multi-agent list-projects --status ");
        var unknownShell = await CliRunner.RunAsync("completion", "powershell");

        Assert.Equal(["list-jobs", "list-projects"], Lines(commands.Stdout));
        Assert.Equal(["--status"], Lines(options.Stdout));
        Assert.Equal(["bash", "fish", "zsh"], Lines(shells.Stdout).Where(s => !s.StartsWith('-') && !s.StartsWith('/'))); // beside the options
        Assert.Equal(["CANCELLED", "COMPLETED", "FAILED", "PARTIAL", "PLANNED", "PLANNING", "RUNNING"], Lines(states.Stdout));
        Assert.Equal(ExitCodes.Usage, unknownShell.ExitCode);

        static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    [Fact]
    public async Task Redirected_output_and_NO_COLOR_have_no_ANSI_escape_sequences()
    {
        string[] args = ["job-status", "job-123456789012", "--nats", Unreachable, "--timeout", "2"];
        var redirected = await CliRunner.RunAsync(args, null, CliTerminal.Redirected);
        var noColor = await CliRunner.RunAsync(args, CliRunner.Environment(("NO_COLOR", "1"), ("TERM", "xterm-256color")), new CliTerminal(true, true));
        var usage = await CliRunner.RunAsync(["start-project", "--repo", "nope", "--requirements", "x"], CliRunner.Environment(("NO_COLOR", "1")), new CliTerminal(true, true));
        var terminal = await CliRunner.RunAsync(args, CliRunner.Environment(("TERM", "xterm-256color")), new CliTerminal(true, true));

        Assert.False(CliRunner.HasAnsi(redirected.Stdout + redirected.Stderr), redirected.Stderr);
        Assert.False(CliRunner.HasAnsi(noColor.Stdout + noColor.Stderr), noColor.Stdout + noColor.Stderr);
        Assert.False(CliRunner.HasAnsi(usage.Stdout + usage.Stderr), usage.Stderr);
        Assert.Contains("cannot reach NATS", noColor.Stderr);

        // The same command on a terminal without NO_COLOR is coloured: the checks above are not vacuous.
        Assert.True(CliRunner.HasAnsi(terminal.Stderr), terminal.Stderr);
    }

    [Fact]
    public async Task Help_lists_the_commands_and_the_exit_codes()
    {
        var result = await CliRunner.RunAsync("--help");

        Assert.Equal(ExitCodes.Ok, result.ExitCode);
        foreach (var command in new[] { "start-project", "submit-feature", "job-status", "list-jobs", "stop-job", "approve", "reject", "watch", "agents" })
        {
            Assert.Contains(command, result.Stdout);
        }

        Assert.Contains("Exit codes: 0 ok; 1", result.Stdout);
        Assert.Contains("2 usage error", result.Stdout);
    }

    [Theory]
    [InlineData("approve", "--comment", "merged")]
    [InlineData("reject", "--reason", "FAILED")]
    public async Task Approve_and_reject_have_help(string command, string option, string effect)
    {
        var result = await CliRunner.RunAsync(command, "--help");

        Assert.Equal(ExitCodes.Ok, result.ExitCode);
        Assert.Contains("<job-id>", result.Stdout);
        Assert.Contains(option, result.Stdout);
        Assert.Contains("--json", result.Stdout);
        Assert.Contains("--nats", result.Stdout);
        Assert.Contains("AWAITING_APPROVAL", result.Stdout);
        Assert.Contains(effect, result.Stdout);
        Assert.Equal("", result.Stderr);
    }

    [Fact]
    public void Requirements_titles_repositories_and_job_ids_are_derived_as_documented()
    {
        Assert.Equal(["Add a /version endpoint", "return JSON", "cover it with a test"],
            FeatureSubmission.SplitRequirements(["- Add a /version endpoint;\n  return JSON\r\n\n* cover it with a test;"], commas: false));
        Assert.Equal(["a", "b", "c"], FeatureSubmission.SplitRequirements(["a,b", " c ,"], commas: true));
        Assert.Equal("Add a /version endpoint; return JSON", MultiAgent.Contracts.ProjectRequest.TitleOf("\n - Add a /version endpoint; return JSON.\nmore"));
        Assert.Equal("User accounts", MultiAgent.Contracts.ProjectRequest.TitleOf("# User accounts\n- login"));
        Assert.Equal(72, MultiAgent.Contracts.ProjectRequest.TitleOf(new string('x', 200)).Length);
        Assert.Equal("https://github.com/acme/shop", FeatureSubmission.Repository("git@github.com:acme/shop.git"));
        Assert.Equal("https://github.com/acme/shop", FeatureSubmission.Repository("https://github.com/acme/shop.git"));
        Assert.Equal("/srv/repos/shop.git", FeatureSubmission.Repository("/srv/repos/shop.git/"));
        Assert.Equal("/srv/repos/shop.git", FeatureSubmission.RepositoryFilter("file:///srv/repos/shop.git"));
        Assert.Matches("^job-[0-9a-f]{12}$", FeatureSubmission.NewJobId());
    }

    private const string NatsSettingsVariable = "MULTIAGENT_NATS_URL";
}
