using System.Diagnostics;
using System.Runtime.Versioning;
using MultiAgent.Contracts;
using MultiAgent.Hosting.Local;
using MultiAgent.Hosting.Nats;

namespace MultiAgent.IntegrationTests.AppHost;

/// <summary>The NATS users, their permissions, and the nats-server configuration the AppHost writes from them.</summary>
public sealed class NatsServerConfigTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("multiagent-nats-config-").FullName;

    [Theory]
    // The Coder: results to the Repo Manager only, its own consumer, heartbeats and dead letters, its task events.
    [InlineData("coder", "multiagent.tasks.repomanager", true)]
    [InlineData("coder", "multiagent.tasks.reviewer", false)]
    [InlineData("coder", "multiagent.tasks.coder", false)]
    [InlineData("coder", "multiagent.tasks.undeclared", false)]
    [InlineData("coder", "multiagent.heartbeats.coder.coder-1", true)]
    [InlineData("coder", "multiagent.heartbeats.reviewer.coder-1", false)]
    [InlineData("coder", "multiagent.deadletter.coder", true)]
    [InlineData("coder", "multiagent.deadletter.reviewer", false)]
    [InlineData("coder", "multiagent.events.job-1.task_started", true)]
    [InlineData("coder", "multiagent.events.job-1.job_failed", true)]
    [InlineData("coder", "multiagent.events.job-1.job_completed", false)]
    [InlineData("coder", "multiagent.events.job-1.job_merged", false)]
    [InlineData("coder", "multiagent.query.job.stop", false)]
    [InlineData("coder", "multiagent.query.job.status", false)]
    [InlineData("coder", "multiagent.control.cancel.job-1", false)]
    [InlineData("coder", "$JS.API.CONSUMER.MSG.NEXT.MULTIAGENT_TASKS.coder-worker", true)]
    [InlineData("coder", "$JS.API.CONSUMER.MSG.NEXT.MULTIAGENT_TASKS.reviewer-worker", false)]
    [InlineData("coder", "$JS.API.CONSUMER.CREATE.MULTIAGENT_TASKS.coder-worker.multiagent.tasks.coder", true)]
    [InlineData("coder", "$JS.API.CONSUMER.CREATE.MULTIAGENT_TASKS.reviewer-worker.multiagent.tasks.reviewer", false)]
    [InlineData("coder", "$JS.ACK.MULTIAGENT_TASKS.coder-worker.1.2.3.4.5.6.7", true)]
    [InlineData("coder", "$JS.ACK.MULTIAGENT_TASKS.repomanager-worker.1.2.3.4.5.6.7", false)]
    [InlineData("coder", "$JS.API.STREAM.DELETE.MULTIAGENT_TASKS", false)]
    [InlineData("coder", "$JS.API.STREAM.PURGE.MULTIAGENT_TASKS", false)]
    [InlineData("coder", "_INBOX.anything", false)]
    // The Reviewer: as the Coder, for itself.
    [InlineData("reviewer", "multiagent.tasks.repomanager", true)]
    [InlineData("reviewer", "multiagent.tasks.coder", false)]
    [InlineData("reviewer", "multiagent.heartbeats.reviewer.r-1", true)]
    [InlineData("reviewer", "multiagent.heartbeats.repomanager.r-1", false)]
    [InlineData("reviewer", "multiagent.events.job-1.job_completed", false)]
    // The Repo Manager: every task queue, every event, cancellations; no queries of its own.
    [InlineData("repomanager", "multiagent.tasks.coder", true)]
    [InlineData("repomanager", "multiagent.tasks.reviewer", true)]
    [InlineData("repomanager", "multiagent.tasks.repomanager", true)]
    [InlineData("repomanager", "multiagent.tasks.undeclared", false)]
    [InlineData("repomanager", "multiagent.events.job-1.job_completed", true)]
    [InlineData("repomanager", "multiagent.control.cancel.job-1", true)]
    [InlineData("repomanager", "multiagent.heartbeats.repomanager.rm-1", true)]
    [InlineData("repomanager", "multiagent.heartbeats.coder.rm-1", false)]
    [InlineData("repomanager", "multiagent.query.job.stop", false)]
    [InlineData("repomanager", "$JS.API.CONSUMER.INFO.MULTIAGENT_TASKS.reviewer-worker", true)]
    [InlineData("repomanager", "$JS.API.CONSUMER.DELETE.MULTIAGENT_TASKS.reviewer-worker", false)]
    [InlineData("coder", "$JS.API.CONSUMER.INFO.MULTIAGENT_TASKS.reviewer-worker", false)]
    // The operator: submit (through JetStream), every query, following events.
    [InlineData("operator", "multiagent.tasks.repomanager", true)]
    [InlineData("operator", "multiagent.tasks.coder", false)]
    [InlineData("operator", "multiagent.query.job.stop", true)]
    [InlineData("operator", "multiagent.query.job.approve", true)]
    [InlineData("operator", "multiagent.query.job.reject", true)]
    [InlineData("operator", "multiagent.events.job-1.job_completed", false)]
    [InlineData("operator", "multiagent.heartbeats.coder.x", false)]
    [InlineData("operator", "multiagent.control.cancel.job-1", false)]
    [InlineData("operator", "$JS.API.CONSUMER.CREATE.MULTIAGENT_EVENTS.abc.multiagent.events.job-1.>", true)]
    [InlineData("operator", "$JS.API.CONSUMER.MSG.NEXT.MULTIAGENT_EVENTS.abc", true)]
    [InlineData("operator", "$JS.API.CONSUMER.MSG.NEXT.MULTIAGENT_TASKS.coder-worker", false)]
    // The viewer: read-only queries and events; no submit, stop, approve or reject.
    [InlineData("viewer", "multiagent.query.job.status", true)]
    [InlineData("viewer", "multiagent.query.jobs.list", true)]
    [InlineData("viewer", "multiagent.query.agents", true)]
    [InlineData("viewer", "multiagent.query.job.stop", false)]
    [InlineData("viewer", "multiagent.query.job.approve", false)]
    [InlineData("viewer", "multiagent.query.job.reject", false)]
    [InlineData("viewer", "multiagent.tasks.repomanager", false)]
    [InlineData("viewer", "multiagent.events.job-1.job_completed", false)]
    [InlineData("viewer", "multiagent.heartbeats.coder.x", false)]
    [InlineData("viewer", "$JS.API.CONSUMER.CREATE.MULTIAGENT_EVENTS.abc", true)]
    [InlineData("viewer", "$JS.API.STREAM.CREATE.MULTIAGENT_TASKS", false)]
    [InlineData("viewer", "$JS.API.CONSUMER.CREATE.MULTIAGENT_TASKS.coder-worker", false)]
    // The AppHost: system events only (restarts and crash loops), never a job's event, a task or a query.
    [InlineData("apphost", "multiagent.system.coder.agent_crash_loop", true)]
    [InlineData("apphost", "multiagent.system.nats.agent_restarted", true)]
    [InlineData("apphost", "multiagent.events.job-1.job_completed", false)]
    [InlineData("apphost", "multiagent.tasks.coder", false)]
    [InlineData("apphost", "multiagent.query.job.stop", false)]
    [InlineData("apphost", "$JS.API.STREAM.DELETE.MULTIAGENT_EVENTS", false)]
    // Only the AppHost announces system events.
    [InlineData("repomanager", "multiagent.system.coder.agent_crash_loop", false)]
    // The Repo Manager's notification channels read the event stream, each through its own durable consumer.
    [InlineData("repomanager", "$JS.API.CONSUMER.CREATE.MULTIAGENT_EVENTS.notify-slack", true)]
    [InlineData("repomanager", "$JS.API.CONSUMER.MSG.NEXT.MULTIAGENT_EVENTS.notify-email", true)]
    [InlineData("repomanager", "$JS.ACK.MULTIAGENT_EVENTS.notify-discord.1.2.3.4.5", true)]
    [InlineData("repomanager", "$JS.API.CONSUMER.DELETE.MULTIAGENT_EVENTS.notify-slack", false)]
    [InlineData("coder", "multiagent.system.coder.agent_restarted", false)]
    [InlineData("operator", "multiagent.system.coder.agent_crash_loop", false)]
    // The admin: everything.
    [InlineData("admin", "multiagent.query.job.stop", true)]
    [InlineData("admin", "$JS.API.STREAM.DELETE.MULTIAGENT_TASKS", true)]
    public void Each_user_may_publish_only_what_it_needs(string user, string subject, bool allowed) =>
        Assert.Equal(allowed, MayUse(NatsUsers.Get(user).Permissions.Publish, subject));

    [Theory]
    // Each user reads its own inboxes only: not another user's replies, tasks or JetStream answers.
    [InlineData("coder", "_INBOX_coder.abc.1", true)]
    [InlineData("coder", "_INBOX.abc.1", false)]
    [InlineData("coder", "_INBOX_reviewer.abc.1", false)]
    [InlineData("coder", "multiagent.control.cancel.job-1", true)]
    [InlineData("coder", "multiagent.query.job.stop", false)]
    [InlineData("coder", "multiagent.tasks.coder", false)]
    [InlineData("coder", "multiagent.heartbeats.repomanager.x", false)]
    [InlineData("repomanager", "multiagent.query.job.stop", true)]
    [InlineData("repomanager", "multiagent.heartbeats.coder.x", true)]
    [InlineData("repomanager", "multiagent.tasks.coder", false)]
    [InlineData("repomanager", "multiagent.system.coder.agent_crash_loop", true)]
    [InlineData("apphost", "_INBOX_apphost.abc.1", true)]
    [InlineData("apphost", "multiagent.system.coder.agent_crash_loop", false)]
    [InlineData("apphost", "multiagent.heartbeats.coder.x", false)]
    [InlineData("operator", "_INBOX_operator.abc.1", true)]
    [InlineData("operator", "_INBOX_repomanager.abc.1", false)]
    [InlineData("operator", "multiagent.query.job.stop", false)]
    [InlineData("operator", "multiagent.events.job-1.job_completed", false)]
    [InlineData("viewer", "_INBOX_viewer.abc.1", true)]
    [InlineData("viewer", "_INBOX.abc.1", false)]
    [InlineData("viewer", "_INBOX_operator.abc.1", false)]
    [InlineData("viewer", "_INBOX_coder.abc.1", false)]
    [InlineData("viewer", "multiagent.query.job.status", false)]
    [InlineData("viewer", "multiagent.tasks.coder", false)]
    public void Each_user_may_subscribe_only_to_what_it_needs(string user, string subject, bool allowed) =>
        Assert.Equal(allowed, MayUse(NatsUsers.Get(user).Permissions.Subscribe, subject));

    [Fact]
    public void Only_the_Repo_Manager_answers_requests_and_there_is_one_user_per_agent_type_and_role()
    {
        Assert.Equal(
            ["coder", "reviewer", "repomanager", "operator", "viewer", "apphost", "admin"],
            NatsUsers.All.Select(u => u.Name).ToArray());
        Assert.Equal(["repomanager"], NatsUsers.All.Where(u => u.Permissions.AllowResponses).Select(u => u.Name).ToArray());
        Assert.Equal(
            Enum.GetValues<AgentType>().Select(Subjects.AgentToken).Order().ToArray(),
            Enum.GetValues<AgentType>().Select(NatsUsers.ForAgent).Order().ToArray());
    }

    [Fact]
    public void Run_mode_config_holds_each_user_with_its_quoted_password_and_publish_mode_config_holds_no_password()
    {
        var run = NatsServerConfig.Render(NatsUsers.All, user => NatsServerConfig.Quote($"pw \"{user}\""));
        var publish = NatsServerConfig.Render(NatsUsers.All, NatsServerConfig.EnvironmentReference);

        foreach (var user in NatsUsers.All)
        {
            Assert.Contains($"user: \"{user.Name}\"", run, StringComparison.Ordinal);
            Assert.Contains($"password: \"pw \\\"{user.Name}\\\"\"", run, StringComparison.Ordinal);
            Assert.Contains($"password: $NATS_PASSWORD_{user.Name.ToUpperInvariant()}", publish, StringComparison.Ordinal);
        }

        Assert.Equal(1, run.Split("allow_responses: true").Length - 1);
        Assert.Throws<ArgumentException>(() => NatsServerConfig.Quote("line\nbreak"));
    }

    [Fact]
    public void A_cluster_nodes_config_listens_for_routes_behind_the_route_user_and_joins_the_other_nodes()
    {
        var text = NatsServerConfig.Render(
            NatsUsers.All, user => NatsServerConfig.Quote("pw"), cluster: new NatsClusterRoutes("multiagent", 6222, [6223, 6224], "r/p@ss"));

        Assert.Contains("cluster {", text, StringComparison.Ordinal);
        Assert.Contains("name: \"multiagent\"", text, StringComparison.Ordinal);
        Assert.Contains("port: 6222", text, StringComparison.Ordinal);
        Assert.Contains("user: \"route\"", text, StringComparison.Ordinal);
        Assert.Contains("password: \"r/p@ss\"", text, StringComparison.Ordinal);
        // The password in the route URLs is escaped, so that a '/' or '@' in it cannot end the credentials early.
        Assert.Contains("\"nats-route://route:r%2Fp%40ss@127.0.0.1:6223\"", text, StringComparison.Ordinal);
        Assert.Contains("\"nats-route://route:r%2Fp%40ss@127.0.0.1:6224\"", text, StringComparison.Ordinal);
        Assert.DoesNotContain(":6222\"", text, StringComparison.Ordinal);
        Assert.DoesNotContain("cluster {", NatsServerConfig.Render(NatsUsers.All, user => NatsServerConfig.Quote("pw")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Nats_server_accepts_the_run_publish_and_cluster_node_configurations()
    {
        var server = LocalToolchain.FindOnPath("nats-server") ?? throw new InvalidOperationException("nats-server is not on PATH");
        var run = Path.Combine(_folder, "run.conf");
        var publish = Path.Combine(_folder, "publish.conf");
        await File.WriteAllTextAsync(run, NatsServerConfig.Render(
            NatsUsers.All, user => NatsServerConfig.Quote("secret-" + user), new WebSocketListener(4223, "127.0.0.1")));
        await File.WriteAllTextAsync(publish, NatsServerConfig.Render(NatsUsers.All, NatsServerConfig.EnvironmentReference, new WebSocketListener(8080)));

        var node = Path.Combine(_folder, "node.conf");
        await File.WriteAllTextAsync(node, NatsServerConfig.Render(
            NatsUsers.All, user => NatsServerConfig.Quote("secret-" + user), new WebSocketListener(4223, "127.0.0.1"),
            new NatsClusterRoutes("multiagent", 6222, [6223, 6224], "route-secret")));

        var runCheck = await TestConfigAsync(server, run, []);
        var nodeCheck = await TestConfigAsync(server, node, []);
        var publishCheck = await TestConfigAsync(
            server, publish, NatsUsers.All.Select(u => (NatsServerConfig.PasswordVariable(u.Name), "secret-" + u.Name)).ToArray());

        Assert.True(runCheck.ExitCode == 0, runCheck.Output);
        Assert.True(publishCheck.ExitCode == 0, publishCheck.Output);
        Assert.True(nodeCheck.ExitCode == 0, nodeCheck.Output);
    }

    [Fact]
    [UnsupportedOSPlatform("windows")]
    public void Secrets_are_generated_once_and_written_for_their_owner_alone()
    {
        var path = Path.Combine(_folder, "nested", "nats-coder.password");

        var first = LocalSecret.ReadOrCreate(path);
        var again = LocalSecret.ReadOrCreate(path);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
        LocalSecret.WriteOwnerOnly(path, first);

        Assert.Equal(first, again);
        Assert.Matches("^[0-9a-f]{48}$", first);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
    }

    [Fact]
    public void The_cli_config_file_is_in_the_clis_format_with_the_url_free_of_credentials()
    {
        using var json = System.Text.Json.JsonDocument.Parse(NatsHostingExtensions.CliConfigJson("nats://127.0.0.1:4222", "viewer", "pw"));
        Assert.Equal("nats://127.0.0.1:4222", json.RootElement.GetProperty("nats").GetString());
        Assert.Equal("viewer", json.RootElement.GetProperty("user").GetString());
        Assert.Equal("pw", json.RootElement.GetProperty("password").GetString());
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>Whether an allow list (null: everything) covers a subject, with NATS wildcards ('*' one token, '&gt;' the rest).</summary>
    internal static bool MayUse(IReadOnlyList<string>? allow, string subject) =>
        allow is null || allow.Any(pattern => Matches(pattern, subject));

    private static bool Matches(string pattern, string subject)
    {
        var patternTokens = pattern.Split('.');
        var subjectTokens = subject.Split('.');
        for (var i = 0; i < patternTokens.Length; i++)
        {
            if (patternTokens[i] == ">")
            {
                return subjectTokens.Length > i;
            }

            if (i >= subjectTokens.Length || (patternTokens[i] != "*" && patternTokens[i] != subjectTokens[i]))
            {
                return false;
            }
        }

        return patternTokens.Length == subjectTokens.Length;
    }

    private static async Task<(int ExitCode, string Output)> TestConfigAsync(string server, string config, (string, string)[] environment)
    {
        var start = new ProcessStartInfo(server) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-t");
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(config);
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output + await errors);
    }
}
