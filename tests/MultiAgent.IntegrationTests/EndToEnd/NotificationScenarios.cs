using System.Text.Json.Nodes;
using MultiAgent.Contracts;
using MultiAgent.IntegrationTests.Infrastructure;

namespace MultiAgent.IntegrationTests.EndToEnd;

/// <summary>
/// Notifications on the whole system: the Repo Manager posts every job's notifications to a Slack webhook fake (every
/// level) and a Discord webhook fake (from Success up), read from the event stream.
/// </summary>
[Collection(SystemCollection.Name)]
public sealed class NotificationScenarios(SystemFixture system) : ScenarioTests(system)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_completed_job_gives_one_completion_message_per_channel_with_the_pull_request_link()
    {
        await using var scenario = await Scenario.StartAsync(Fixture);
        scenario.Coder.Enqueue(Scripts.WriteMarkerFile(scenario));
        scenario.Reviewer.Enqueue(Scripts.Approve());
        var feature = scenario.Feature("Tell everyone");

        var done = await Client.RunJobAsync(feature, JobStatus.Completed, scenario);
        var slack = await MessagesAsync(Fixture.Slack, feature.JobId, SlackTitle, "Job completed");
        var discord = await MessagesAsync(Fixture.Discord, feature.JobId, DiscordTitle, "Job completed");

        // Slack: the job started, its pull request opened, it completed (info and success); nothing twice.
        Assert.Equal(["Job started", "Pull request opened", "Job completed"], slack.Select(m => SlackTitle(m).Split(':')[0]));
        var completed = slack[^1]["attachments"]![0]!;
        Assert.Equal("#2EB67D", completed["color"]!.GetValue<string>());
        Assert.Equal(done.Job.PullRequestUrl, completed["blocks"]!.AsArray().Single(b => b!["type"]!.GetValue<string>() == "actions")!["elements"]![0]!["url"]!.GetValue<string>());
        // Discord, from Success up: the completion only.
        var embed = Assert.Single(discord)["embeds"]![0]!;
        Assert.Equal($"Job completed: {feature.Title}", embed["title"]!.GetValue<string>());
        Assert.Equal(done.Job.PullRequestUrl, embed["url"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_failed_job_gives_an_error_message_with_the_reason()
    {
        await using var scenario = await Scenario.StartAsync(Fixture, repositoryParent: AppHostFixture.LocalRepositoryRoot + "-outside");
        var feature = scenario.Feature("Fail loudly");

        var done = await Client.RunJobAsync(feature, JobStatus.Failed, scenario);
        var discord = await MessagesAsync(Fixture.Discord, feature.JobId, DiscordTitle, "Job failed");

        var embed = Assert.Single(discord)["embeds"]![0]!;
        Assert.Equal($"Job failed: {feature.Title}", embed["title"]!.GetValue<string>());
        Assert.Contains(done.Job.Error!, embed["description"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(0xE01E5A, embed["color"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_channel_down_for_the_whole_job_gets_each_message_once_when_back_even_after_a_Repo_Manager_crash()
    {
        await using var scenario = await Scenario.StartAsync(Fixture);
        scenario.Coder.Enqueue(Scripts.WriteMarkerFile(scenario));
        scenario.Reviewer.Enqueue(Scripts.Approve());
        var feature = scenario.Feature("Tell them later");
        var attemptsBefore = Fixture.Slack.Attempts;

        Fixture.Slack.Down = true;
        try
        {
            // The job does not wait for the channel: it completes while every post to Slack is refused.
            await Client.RunJobAsync(feature, JobStatus.Completed, scenario);
            await Eventually.ReturnsAsync(_ => Task.FromResult(Fixture.Slack.Attempts), n => n > attemptsBefore, Patience, "Slack to be tried");
            Assert.DoesNotContain(Fixture.Slack.Received, m => m.ToJsonString().Contains(feature.JobId, StringComparison.Ordinal));

            // The Repo Manager dies between the events and their delivery.
            var killed = await SystemProcesses.KillAsync(Fixture, "repomanager");
            await SystemProcesses.WaitUntilRestartedAsync(Fixture, "repomanager", killed);
        }
        finally
        {
            Fixture.Slack.Down = false;
        }

        var slack = await MessagesAsync(Fixture.Slack, feature.JobId, SlackTitle, "Job completed");
        Assert.Equal(["Job started", "Pull request opened", "Job completed"], slack.Select(m => SlackTitle(m).Split(':')[0]));
    }

    [Fact]
    public async Task Notify_test_sends_through_every_channel_set_up_and_says_what_each_answered()
    {
        var before = (Fixture.Slack.Received.Count, Fixture.Discord.Received.Count);

        var all = await CliRunner.RunAsAsync(Fixture, MultiAgent.Hosting.Nats.NatsUsers.Operator, "notify", "test");
        var email = await CliRunner.RunAsAsync(Fixture, MultiAgent.Hosting.Nats.NatsUsers.Operator, "notify", "test", "--channel", "email");
        var viewer = await CliRunner.RunAsAsync(Fixture, MultiAgent.Hosting.Nats.NatsUsers.Viewer, "notify", "test");

        Assert.True(all.ExitCode == 0, all.ToString());
        Assert.Equal(["slack: sent", "discord: sent"], all.Stdout.Trim().Split('\n').Select(l => l.Trim()));
        Assert.Equal("Test notification", SlackTitle(Fixture.Slack.Received.Skip(before.Item1).Single(m => SlackTitle(m) == "Test notification")));
        Assert.Single(Fixture.Discord.Received.Skip(before.Item2), m => DiscordTitle(m) == "Test notification");
        // Email is not set up on this system: refused with the reason; a viewer may not ask at all.
        Assert.NotEqual(0, email.ExitCode);
        Assert.Contains("the email channel is not set up (set up: slack, discord)", email.Stderr, StringComparison.Ordinal);
        Assert.NotEqual(0, viewer.ExitCode);
    }

    private static string SlackTitle(JsonObject message) => message["attachments"]![0]!["blocks"]![0]!["text"]!["text"]!.GetValue<string>();

    private static string DiscordTitle(JsonObject message) => message["embeds"]![0]!["title"]!.GetValue<string>();

    /// <summary>
    /// The channel's messages about the job (its id is among their fields), once the one starting with
    /// <paramref name="last"/> is there. When it does not come, the failure carries what the channel was tried with, the
    /// latest delivery records and the end of the Repo Manager's log, to tell a slow channel worker from a lost event.
    /// </summary>
    private async Task<IReadOnlyList<JsonObject>> MessagesAsync(
        Notifications.FakeWebhook webhook, string jobId, Func<JsonObject, string> title, string last)
    {
        IReadOnlyList<JsonObject> Mine() => [.. webhook.Received.Where(m => m.ToJsonString().Contains(jobId, StringComparison.Ordinal))];
        try
        {
            await Eventually.ReturnsAsync(_ => Task.FromResult(Mine()), m => m.Any(x => title(x).StartsWith(last, StringComparison.Ordinal)), Patience,
                $"'{last}' for job {jobId}");
        }
        catch (TimeoutException ex)
        {
            var logs = Path.Combine(Fixture.DataRoot, "logs", "repomanager");
            var log = Directory.Exists(logs) && Directory.GetFiles(logs).OrderBy(File.GetLastWriteTimeUtc).LastOrDefault() is { } file
                ? string.Join('\n', File.ReadLines(file).TakeLast(60))
                : "(no log file)";
            throw new TimeoutException(
                $"{ex.Message}\nwebhook: {webhook.Attempts} attempts, {webhook.Received.Count} received, down: {webhook.Down}\n" +
                $"latest deliveries:\n{await Client.RecentDeliveriesAsync()}\nRepo Manager log (end):\n{log}", ex);
        }

        return Mine();
    }
}
