using System.Text.Json;
using System.Text.Json.Nodes;
using MultiAgent.Contracts;
using MultiAgent.Hosting.Restarts;
using MultiAgent.Notifications;
using MultiAgent.Notifications.Channels;
using MultiAgent.Notifications.Delivery;
using MultiAgent.Persistence;

namespace MultiAgent.UnitTests.Notifications;

/// <summary>Which events become notifications, what they say, and how Slack, Discord and email render them.</summary>
public sealed class NotificationContentTests
{
    private static readonly DateTimeOffset Created = new(2026, 12, 1, 20, 0, 0, TimeSpan.Zero);

    private static readonly JobRecord Job = new()
    {
        Id = "job-1a2b3c4d5e6f",
        Repository = "https://github.com/acme/widgets",
        Title = "Add a greeting",
        Iteration = 2,
        PullRequestUrl = "https://github.com/acme/widgets/pull/7",
        Tokens = new TokenUsage(12_345, 678),
        CreatedAt = Created,
        CompletedAt = Created.AddSeconds(95),
    };

    private readonly NotificationComposer _composer = new((id, _) => Task.FromResult(id == Job.Id ? Job : null));

    private static JobEvent Event(string type, string message = "m", string? data = null, long id = 42) =>
        new(Job.Id, type, message, Created.AddSeconds(95), Data: data is null ? null : JsonDocument.Parse(data).RootElement.Clone(), EventId: id);

    [Fact]
    public async Task A_completed_job_is_a_success_with_the_pull_request_iterations_duration_and_tokens()
    {
        var notification = await _composer.ComposeAsync(Event(JobEventTypes.JobCompleted, "job completed: pull request #7 merged"), default);

        Assert.NotNull(notification);
        Assert.Equal(("job-event-42", NotificationLevel.Success, "Job completed: Add a greeting"), (notification.Key, notification.Level, notification.Title));
        Assert.Equal("https://github.com/acme/widgets/pull/7", notification.Link);
        Assert.Equal(
            ["Repository: https://github.com/acme/widgets", "Job: job-1a2b3c4d5e6f", "Iterations: 2", "Duration: 1 min 35 s", "Tokens: 12,345 in, 678 out"],
            notification.Fields.Select(f => $"{f.Name}: {f.Value}"));
    }

    [Theory]
    [InlineData("COMPLETED", NotificationLevel.Success, "Project completed")]
    [InlineData("PARTIAL", NotificationLevel.Warning, "Project partly completed")]
    [InlineData("FAILED", NotificationLevel.Error, "Project failed")]
    [InlineData("CANCELLED", NotificationLevel.Warning, "Project stopped")]
    public async Task A_project_that_ended_is_told_by_how_it_ended(string status, NotificationLevel level, string what)
    {
        var ended = new JobEvent("proj-3f9c0a1b2c4d", ProjectEventTypes.Ended, $"project {status}: 1 of 2 feature(s) merged", Created,
            Data: JsonDocument.Parse($"{{\"status\":\"{status}\",\"completed\":1,\"features\":2}}").RootElement.Clone(), EventId: 7);

        var notification = await _composer.ComposeAsync(ended, default);

        Assert.Equal((level, $"{what}: proj-3f9c0a1b2c4d"), (notification!.Level, notification.Title));
        Assert.Equal(["Project: proj-3f9c0a1b2c4d"], notification.Fields.Select(f => $"{f.Name}: {f.Value}"));
        Assert.Equal($"project {status}: 1 of 2 feature(s) merged", notification.Text);
    }

    [Fact]
    public async Task A_completed_job_with_model_prices_also_says_what_it_cost()
    {
        var priced = Job with { Tokens = new TokenUsage(12_345, 678, 0.0376245m) };
        var composer = new NotificationComposer((id, _) => Task.FromResult(id == priced.Id ? priced : null));

        var notification = await composer.ComposeAsync(Event(JobEventTypes.JobCompleted, "job completed"), default);

        Assert.Equal("Cost: about 0.0376", notification!.Fields[^1].Name + ": " + notification.Fields[^1].Value);
    }

    [Theory]
    [InlineData(JobEventTypes.JobCreated, null, NotificationLevel.Info, "Job started")]
    [InlineData(JobEventTypes.PullRequestOpened, """{"number":7,"url":"https://github.com/acme/widgets/pull/7"}""", NotificationLevel.Info, "Pull request opened")]
    [InlineData(JobEventTypes.ReviewPosted, """{"decision":"REQUEST_CHANGES","iteration":2,"comments":3}""", NotificationLevel.Warning, "Changes requested (iteration 2)")]
    [InlineData(JobEventTypes.JobTransition, """{"from":"REVIEWING","to":"AWAITING_APPROVAL","iteration":1}""", NotificationLevel.Info, "Waiting for approval")]
    [InlineData(JobEventTypes.JobFailed, null, NotificationLevel.Error, "Job failed")]
    [InlineData(JobEventTypes.JobCancelled, null, NotificationLevel.Warning, "Job stopped")]
    [InlineData(JobEventTypes.TaskDeadLettered, null, NotificationLevel.Error, "Task dead-lettered")]
    public async Task Each_event_worth_telling_has_its_level_and_title(string type, string? data, NotificationLevel level, string what)
    {
        var notification = await _composer.ComposeAsync(Event(type, "what happened", data), default);

        Assert.Equal((level, $"{what}: Add a greeting", "what happened"), (notification!.Level, notification.Title, notification.Text));
    }

    [Theory]
    [InlineData(JobEventTypes.TaskStarted, null)]
    [InlineData(JobEventTypes.TaskCompleted, null)]
    [InlineData(JobEventTypes.ReviewPosted, """{"decision":"APPROVE","iteration":1}""")]
    [InlineData(JobEventTypes.JobTransition, """{"from":"IMPLEMENTING","to":"REVIEWING"}""")]
    [InlineData(JobEventTypes.JobMerged, null)]
    public async Task Other_events_give_no_notification(string type, string? data) =>
        Assert.Null(await _composer.ComposeAsync(Event(type, data: data), default));

    [Fact]
    public void A_crash_loop_is_critical_and_a_restart_a_warning()
    {
        var loop = NotificationComposer.Compose(RestartEvents.CrashLoop("coder", 1, 10, TimeSpan.FromSeconds(10), Created))!;
        var restart = NotificationComposer.Compose(RestartEvents.Restarted("nats", 137, TimeSpan.FromMinutes(3), TimeSpan.FromSeconds(4), 1, Created))!;

        Assert.Equal((NotificationLevel.Critical, "Crash loop: coder is left stopped"), (loop.Level, loop.Title));
        Assert.Equal((NotificationLevel.Warning, "Restarted: nats"), (restart.Level, restart.Title));
    }

    [Fact]
    public async Task Slack_gets_blocks_in_an_attachment_coloured_by_level_with_a_button_to_the_pull_request()
    {
        var notification = (await _composer.ComposeAsync(Event(JobEventTypes.JobCompleted, "merged <b>&</b>"), default))!;

        var payload = SlackChannel.Payload(notification);

        Assert.Equal("Job completed: Add a greeting: merged <b>&</b>", payload["text"]!.GetValue<string>());
        var attachment = payload["attachments"]![0]!;
        Assert.Equal("#2EB67D", attachment["color"]!.GetValue<string>());
        var blocks = attachment["blocks"]!.AsArray();
        Assert.Equal(["header", "section", "section", "actions", "context"], blocks.Select(b => b!["type"]!.GetValue<string>()));
        Assert.Equal("Job completed: Add a greeting", blocks[0]!["text"]!["text"]!.GetValue<string>());
        Assert.Equal("merged &lt;b&gt;&amp;&lt;/b&gt;", blocks[1]!["text"]!["text"]!.GetValue<string>());
        Assert.Equal("*Iterations*\n2", blocks[2]!["fields"]![2]!["text"]!.GetValue<string>());
        Assert.Equal("https://github.com/acme/widgets/pull/7", blocks[3]!["elements"]![0]!["url"]!.GetValue<string>());
    }

    [Fact]
    public async Task Discord_gets_one_embed_linking_the_pull_request_and_pings_nobody()
    {
        var notification = (await _composer.ComposeAsync(Event(JobEventTypes.JobFailed, "@everyone the check failed"), default))!;

        var payload = DiscordChannel.Payload(notification);

        var embed = payload["embeds"]![0]!;
        Assert.Equal("Job failed: Add a greeting", embed["title"]!.GetValue<string>());
        Assert.Equal("@everyone the check failed", embed["description"]!.GetValue<string>());
        Assert.Equal("https://github.com/acme/widgets/pull/7", embed["url"]!.GetValue<string>());
        Assert.Equal(0xE01E5A, embed["color"]!.GetValue<int>());
        Assert.Equal("Repository", embed["fields"]![0]!["name"]!.GetValue<string>());
        Assert.Empty(payload["allowed_mentions"]!["parse"]!.AsArray());
    }

    [Fact]
    public async Task Email_has_a_subject_every_recipient_and_a_text_and_an_html_body()
    {
        var options = new EmailChannelOptions { From = "bot@example.test", To = ["a@example.test", "b@example.test"] };
        var notification = (await _composer.ComposeAsync(Event(JobEventTypes.JobFailed, "check failed: <script>"), default))!;

        var message = new EmailChannel(options, new NotificationOptions(), new MultiAgent.Secrets.SecretRedactor()).Message(notification);

        Assert.Equal("[MultiAgent] Job failed: Add a greeting", message.Subject);
        Assert.Equal(["a@example.test", "b@example.test"], message.To.Mailboxes.Select(m => m.Address));
        Assert.Contains("check failed: <script>", message.TextBody, StringComparison.Ordinal);
        Assert.Contains("Pull request: https://github.com/acme/widgets/pull/7", message.TextBody, StringComparison.Ordinal);
        Assert.Contains("check failed: &lt;script&gt;", message.HtmlBody, StringComparison.Ordinal);
    }

    [Fact]
    public void A_channel_takes_notifications_from_its_level_up_and_only_the_listed_events()
    {
        var warning = new Notification("k", JobEventTypes.JobCancelled, NotificationLevel.Warning, "t", "x", Created);
        var error = warning with { EventType = JobEventTypes.JobFailed, Level = NotificationLevel.Error };

        Assert.True(new ChannelOptions().Takes(warning));
        Assert.False(new ChannelOptions { MinLevel = NotificationLevel.Error }.Takes(warning));
        Assert.True(new ChannelOptions { MinLevel = NotificationLevel.Error }.Takes(error));
        Assert.False(new ChannelOptions { Events = [JobEventTypes.JobCompleted] }.Takes(error));
    }

    [Fact]
    public void A_digest_counts_what_it_stands_for_names_each_title_once_with_how_often_and_takes_the_highest_level()
    {
        var held = Enumerable.Range(1, 37)
            .Select(i => new Notification($"k{i}", JobEventTypes.JobCreated, i == 5 ? NotificationLevel.Error : NotificationLevel.Info,
                i <= 30 ? "Job started: A" : $"Job started: {i}", "x", Created))
            .ToList();
        var many = Enumerable.Range(1, 25).Select(i => new Notification($"m{i}", JobEventTypes.JobCreated, NotificationLevel.Info, $"T{i}", "x", Created)).ToList();

        var digest = ChannelWorker.Digest(held, Created);
        var wide = ChannelWorker.Digest(many, Created);

        Assert.Equal(("And 37 more events", NotificationLevel.Error), (digest.Title, digest.Level));
        Assert.Equal("and 37 more events (past the rate limit): Job started: A (×30); Job started: 31; Job started: 32; "
            + "Job started: 33; Job started: 34; Job started: 35; Job started: 36; Job started: 37", digest.Text);
        Assert.EndsWith("; T20; and 5 more", wide.Text, StringComparison.Ordinal);
    }
}
