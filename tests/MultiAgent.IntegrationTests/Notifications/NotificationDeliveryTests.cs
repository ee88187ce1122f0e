using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using MultiAgent.Contracts;
using MultiAgent.IntegrationTests.Infrastructure;
using MultiAgent.IntegrationTests.Messaging;
using MultiAgent.Messaging;
using MultiAgent.Notifications;
using MultiAgent.Notifications.Channels;
using MultiAgent.Notifications.Delivery;
using MultiAgent.Persistence;
using MultiAgent.Secrets;
using NATS.Client.JetStream;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace MultiAgent.IntegrationTests.Notifications;

/// <summary>
/// A channel's worker on the real servers (the event stream, the delivery records in PostgreSQL) posting to a webhook
/// fake: what is sent, once; retries and Retry-After; a channel that is down; the rate limit's digest.
/// </summary>
[Collection(InfrastructureCollection.Name)]
public sealed class NotificationDeliveryTests(InfrastructureFixture infrastructure) : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly NotificationOptions _options = new()
    {
        RetryBaseDelay = TimeSpan.FromMilliseconds(100),
        MaxRetries = 2,
        MaxDownDelay = TimeSpan.FromMilliseconds(400),
    };

    private TaskBusHarness? _bus;
    private NpgsqlDataSource? _database;
    private FakeWebhook? _webhook;

    private TaskBusHarness Bus => _bus!;

    private FakeWebhook Webhook => _webhook!;

    public async Task InitializeAsync()
    {
        _bus = await TaskBusHarness.CreateAsync(infrastructure);
        _database = NpgsqlDataSource.Create(infrastructure.DatabaseConnectionString);
        await Persistence.TestSchema.Migrator(_database, DeliveryStore.Migrations).MigrateAsync();
        _webhook = await FakeWebhook.StartAsync();
    }

    [Fact]
    public async Task A_job_gives_one_message_per_event_worth_telling_and_an_event_delivered_again_is_not_sent_again()
    {
        var job = await NewJobAsync();
        await using var worker = await StartAsync(new ChannelOptions());
        await PublishAsync(job, JobEventTypes.JobCreated, "job accepted");
        await PublishAsync(job, JobEventTypes.TaskStarted, "the Repo Manager started");
        var completed = await PublishAsync(job, JobEventTypes.JobCompleted, "job completed: pull request #1 merged");
        await WaitForAsync(2);

        // The stream hands the completed event out again (as after a crash between the post and its acknowledgement).
        await Bus.Js.PublishAsync(JobEventTypes.Subject(job.Id, completed.Type), MessageSerializer.SerializeMessage(completed), NATS.Client.Core.NatsRawSerializer<byte[]>.Default);
        await PublishAsync(job, JobEventTypes.JobFailed, "sentinel");
        await WaitForAsync(3);

        Assert.Equal(
            [$"Job started: {job.Title}", $"Job completed: {job.Title}", $"Job failed: {job.Title}"],
            Webhook.Received.Select(m => m["attachments"]![0]!["blocks"]![0]!["text"]!["text"]!.GetValue<string>()));
        var records = await new DeliveryStore(_database!).ReadAsync("slack");
        Assert.Equal(DeliveryOutcome.Sent, Assert.Single(records, r => r.EventKey == EventPublisher.MessageId(completed.EventId!.Value)).Outcome);
    }

    [Fact]
    public async Task A_webhook_answering_500_twice_gets_the_message_once_and_a_429_with_Retry_After_is_waited_out()
    {
        var job = await NewJobAsync();
        await using var worker = await StartAsync(new ChannelOptions());
        Webhook.Fail(500, times: 2);
        await PublishAsync(job, JobEventTypes.JobCompleted, "merged");
        await WaitForAsync(1);
        var attemptsForFirst = Webhook.Attempts;

        Webhook.Fail(429, retryAfterSeconds: 2);
        var clock = Stopwatch.StartNew();
        await PublishAsync(job, JobEventTypes.JobFailed, "failed");
        await WaitForAsync(2);

        Assert.Equal(3, attemptsForFirst);
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(2), $"sent again after {clock.Elapsed.TotalSeconds:0.0} s");
        Assert.Equal(5, Webhook.Attempts);
    }

    [Fact]
    public async Task A_channel_that_is_down_gets_its_messages_in_order_when_it_is_back()
    {
        var job = await NewJobAsync();
        await using var worker = await StartAsync(new ChannelOptions());
        Webhook.Down = true;
        await PublishAsync(job, JobEventTypes.JobCreated, "one");
        await PublishAsync(job, JobEventTypes.JobCancelled, "two");
        await Eventually.ReturnsAsync(_ => Task.FromResult(Webhook.Attempts), n => n >= 6, Patience, "several series of attempts while down");

        Webhook.Down = false;
        await WaitForAsync(2);

        Assert.Equal(["one", "two"], Webhook.Received.Select(m => m["attachments"]![0]!["blocks"]![1]!["text"]!["text"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Of_200_events_in_a_burst_60_are_sent_in_the_minute_and_one_digest_names_the_rest_even_after_a_restart()
    {
        var job = await NewJobAsync();
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var store = new DeliveryStore(_database!);
        var keys = new HashSet<string>();
        await using (await StartAsync(new ChannelOptions(), clock))
        {
            for (var i = 1; i <= 200; i++)
            {
                keys.Add(EventPublisher.MessageId((await PublishAsync(job, JobEventTypes.JobCreated, $"burst {i}")).EventId!.Value));
            }

            await Eventually.ReturnsAsync(
                async ct => (await store.ReadAsync("slack", ct)).Count(r => keys.Contains(r.EventKey)), n => n == 200, Patience, "all 200 handled");
        }

        // The worker stopped before the minute was over (as a crash would): the next one sends the digest.
        var withinTheMinute = Webhook.Received.Count;
        await using (await StartAsync(new ChannelOptions(), clock))
        {
            // Minutes pass until the digest is there (the new worker's window may begin after the first advance).
            await Eventually.ReturnsAsync(_ =>
            {
                clock.Advance(TimeSpan.FromMinutes(1));
                return Task.FromResult(Webhook.Received.Count);
            }, n => n >= 61, Patience, "the digest");
            // The worker records the digested events after the digest is sent: wait for that before stopping it.
            await Eventually.ReturnsAsync(
                async ct => (await store.ReadAsync("slack", ct)).Count(r => keys.Contains(r.EventKey) && r.Outcome == DeliveryOutcome.Digested),
                n => n == 140, Patience, "the 140 digested events recorded");
        }

        var records = (await store.ReadAsync("slack")).Where(r => keys.Contains(r.EventKey)).ToList();
        Assert.Equal(60, withinTheMinute);
        var texts = Webhook.Received.Select(m => m["text"]!.GetValue<string>()).ToList();
        Assert.Equal(61, texts.Count);
        Assert.Equal(60, texts.Count(t => t.Contains(": burst ", StringComparison.Ordinal)));
        Assert.Equal($"And 140 more events: and 140 more events (past the rate limit): Job started: {job.Title} (×140)", texts[60]);
        Assert.Equal(60, records.Count(r => r.Outcome == DeliveryOutcome.Sent));
        Assert.Equal(140, records.Count(r => r.Outcome == DeliveryOutcome.Digested));
    }

    private async Task<JobRecord> NewJobAsync()
    {
        var job = new JobRecord { Id = "job-" + Guid.NewGuid().ToString("N")[..12], Repository = "https://github.com/acme/widgets", Title = "Notify me" };
        await new JobStore(_database!).CreateAsync(job);
        return job;
    }

    private async Task<JobEvent> PublishAsync(JobRecord job, string type, string message)
    {
        var stored = await new MultiAgent.Persistence.EventLog(_database!).AppendAsync(job.Id, new NewJobEvent(type, message));
        await Bus.Events().PublishAsync(stored.ToJobEvent(), CancellationToken.None);
        return stored.ToJobEvent();
    }

    private Task WaitForAsync(int count) =>
        Eventually.ReturnsAsync(_ => Task.FromResult(Webhook.Received.Count), n => n >= count, Patience, $"{count} messages at the webhook");

    /// <summary>A Slack channel to the fake, its worker started and its consumer on the stream (it takes events from then on).</summary>
    private async Task<RunningWorker> StartAsync(ChannelOptions channelOptions, TimeProvider? clock = null)
    {
        var slack = new WebhookChannelOptions { WebhookUrl = Webhook.Url, RatePerMinute = channelOptions.RatePerMinute, MinLevel = channelOptions.MinLevel };
        var poster = new WebhookPoster(new HttpClient(), _options, new SecretRedactor());
        var worker = new ChannelWorker(
            new SlackChannel(slack, poster), Bus.Js, new NotificationComposer(new JobStore(_database!)), new DeliveryStore(_database!), _options,
            NullLogger<ChannelWorker>.Instance, clock);
        await worker.StartAsync(CancellationToken.None);
        await Eventually.ReturnsAsync(
            async ct => await Bus.Js.GetConsumerAsync(Subjects.EventsStream, worker.ConsumerName, ct) is not null, made => made, Patience, "the channel's consumer");
        return new RunningWorker(worker);
    }

    private sealed class RunningWorker(ChannelWorker worker) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await worker.StopAsync(CancellationToken.None);
            worker.Dispose();
        }
    }

    public async Task DisposeAsync()
    {
        await (_webhook?.DisposeAsync() ?? ValueTask.CompletedTask);
        await (_database?.DisposeAsync() ?? ValueTask.CompletedTask);
        await (_bus?.DisposeAsync() ?? ValueTask.CompletedTask);
    }
}
