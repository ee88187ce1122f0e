using System.Text;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using MultiAgent.Contracts;
using MultiAgent.Messaging;
using MultiAgent.Persistence;
using MultiAgent.IntegrationTests.Infrastructure;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using static MultiAgent.TestAgent.ScriptedImplementationHandler;

namespace MultiAgent.IntegrationTests.Runtime;

/// <summary>
/// The agent runtime against real NATS JetStream and PostgreSQL, with agents as real processes: delivery while down,
/// crashes, duplicates, poison, failures, shutdown, and sharing work.
/// </summary>
[Collection(RuntimeCollection.Name)]
public sealed class TaskRuntimeTests(InfrastructureFixture fixture) : IAsyncLifetime
{
    private RuntimeKit _kit = null!;

    public async Task InitializeAsync() => _kit = await RuntimeKit.CreateAsync(fixture);

    public async Task DisposeAsync() => await _kit.DisposeAsync();

    [Fact]
    public async Task A_task_published_while_its_agent_is_down_is_processed_once_it_starts()
    {
        var job = await _kit.CreateJobAsync();
        var task = RuntimeKit.Request(job, Scripts.Succeed);
        await _kit.Publisher.PublishAsync(task, default);

        await using var agent = _kit.StartAgent();
        var done = await _kit.WaitForTaskAsync(task.Id, AgentTaskStatus.Completed);
        await _kit.WaitForCompletedEventsAsync(job.Id, 1);

        Assert.Equal(1, done.Attempts);
        Assert.Single(await _kit.ExecutionsAsync(job.Id));
        Assert.Equal(1L, await _kit.StoredOnAsync(Subjects.Tasks(AgentType.RepoManager), expected: 1));
        Assert.Equal(new TokenUsage(10, 5), (await _kit.Jobs.GetAsync(job.Id))!.Tokens);
    }

    [Fact]
    public async Task A_PostgreSQL_outage_longer_than_MaxAttempts_times_AckWait_burns_no_attempt_and_the_task_completes_once_it_is_back()
    {
        var job = await _kit.CreateJobAsync();
        var task = RuntimeKit.Request(job, Scripts.Succeed);
        await using var agent = _kit.StartAgent(new Dictionary<string, string> { ["MultiAgent__TaskBus__MaxAttempts"] = "2" });
        // Its start needs the database.
        await agent.WaitUntilTakingTasksAsync(RuntimeKit.Patience);
        var consumer = await _kit.Js.GetConsumerAsync(Subjects.TasksStream, Subjects.DurableConsumer(AgentType.Coder));
        var deliveredBefore = consumer.Info.Delivered.ConsumerSeq;
        var commands = fixture.App.Services.GetRequiredService<ResourceCommandService>();

        var postgres = EndToEnd.SystemProcesses.ProcessId(fixture.App, "postgres");
        var stopped = await commands.ExecuteCommandAsync("postgres", KnownResourceCommands.StopCommand);
        try
        {
            await _kit.Publisher.PublishAsync(task, default);
            // The agent gets the task while the database is away, cannot record it, and leaves it for redelivery
            // (AckWait 3 s): more deliveries than MaxAttempts (2) pass before the database is back.
            await Eventually.ReturnsAsync(
                async ct => (await _kit.Js.GetConsumerAsync(Subjects.TasksStream, Subjects.DurableConsumer(AgentType.Coder), ct)).Info.Delivered.ConsumerSeq,
                delivered => delivered - deliveredBefore >= 4, RuntimeKit.Patience, "four deliveries of the task while PostgreSQL is down");
        }
        finally
        {
            await EndToEnd.SystemProcesses.StartAgainAsync(fixture.App, "postgres", postgres, RuntimeKit.Patience);
            await fixture.WaitUntilHealthyAsync(RuntimeKit.Patience);
        }

        var done = await _kit.WaitForTaskAsync(task.Id, AgentTaskStatus.Completed);

        Assert.True(stopped.Success, stopped.Message);
        Assert.True(done.Attempts == 1, $"{done.Attempts} attempts; the agent's output:\n{agent.Output}");
        Assert.Single(await _kit.ExecutionsAsync(job.Id));
        Assert.Null(done.Error);
    }

    [Fact]
    public async Task An_agent_killed_mid_task_leaves_it_to_be_redelivered_and_completed_exactly_once()
    {
        var job = await _kit.CreateJobAsync();
        var task = RuntimeKit.Request(job, Scripts.BlockFirstAttempt);
        var first = _kit.StartAgent();
        await _kit.Publisher.PublishAsync(task, default);
        await Eventually.ReturnsAsync(ct => _kit.ExecutionsAsync(job.Id), runs => runs.Count == 1, RuntimeKit.Patience,
            "the first agent to be running the task");

        first.KillHard();
        await using var second = _kit.StartAgent();
        var done = await _kit.WaitForTaskAsync(task.Id, AgentTaskStatus.Completed);
        await _kit.WaitForCompletedEventsAsync(job.Id, 1);

        var runs = await _kit.ExecutionsAsync(job.Id);
        Assert.Equal([(first.InstanceId, 1), (second.InstanceId, 2)], runs);
        Assert.Equal(2, done.Attempts);
        Assert.Equal(1L, await _kit.StoredOnAsync(Subjects.Tasks(AgentType.RepoManager), expected: 1));
        Assert.Equal(new TokenUsage(10, 5), (await _kit.Jobs.GetAsync(job.Id))!.Tokens);
    }

    [Fact]
    public async Task A_task_redelivered_while_its_first_delivery_still_runs_is_not_run_a_second_time()
    {
        var job = await _kit.CreateJobAsync();
        var task = RuntimeKit.Request(job, Scripts.BlockFirstAttempt);
        await using var one = _kit.StartAgent();
        await using var two = _kit.StartAgent();
        await _kit.Publisher.PublishAsync(task, default);
        await Eventually.ReturnsAsync(ct => _kit.ExecutionsAsync(job.Id), runs => runs.Count == 1, RuntimeKit.Patience,
            "an agent to be running the task");
        // Both have set up the consumer (one may still be starting while the other runs the task; starting, it would put
        // back the ack wait changed below).
        await one.WaitUntilTakingTasksAsync(RuntimeKit.Patience);
        await two.WaitUntilTakingTasksAsync(RuntimeKit.Patience);

        // The server now redelivers the running task every half second, although its holder keeps it alive (every
        // second, a third of the 3 s it was told): what late in-progress acknowledgements do under load.
        var consumer = JetStreamTopology.ConsumerConfigFor(AgentType.Coder, new TaskBusOptions());
        consumer.AckWait = TimeSpan.FromMilliseconds(500);
        await _kit.Js.CreateOrUpdateConsumerAsync(Subjects.TasksStream, consumer);
        await Eventually.ReturnsAsync(
            async ct => (StepAsides: StepAsides(one) + StepAsides(two), Runs: (await _kit.ExecutionsAsync(job.Id)).Count),
            seen => seen.StepAsides >= 1 || seen.Runs > 1, RuntimeKit.Patience, "a redelivery of the running task to step aside or run it");
        await _kit.Nats.PublishAsync(Subjects.JobCancel(job.Id), Array.Empty<byte>());
        var cancelled = await _kit.WaitForTaskAsync(task.Id, AgentTaskStatus.Cancelled);

        var run = Assert.Single(await _kit.ExecutionsAsync(job.Id));
        Assert.Equal(1, run.Attempt);
        Assert.Equal(1, cancelled.Attempts);
        Assert.Null(cancelled.LeaseHolder);
        Assert.Contains($"is being run by {run.Instance}/", one.Output + two.Output);

        static int StepAsides(AgentProcess agent) =>
            agent.Output.Split('\n').Count(line => line.Contains("this delivery steps aside", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_task_that_never_gets_to_run_is_dead_lettered_after_MaxDeliveries_instead_of_redelivered_forever()
    {
        var job = await _kit.CreateJobAsync();
        var task = RuntimeKit.Request(job, Scripts.Succeed);
        // A lease that will not run out in time: every delivery steps aside (what a task store that cannot be reached
        // would also do to it, only with an error each time).
        await _kit.Tasks.BeginAttemptAsync(new TaskStart
        {
            TaskId = task.Id,
            JobId = job.Id,
            AgentType = AgentType.Coder,
            MessageType = task.Type,
            LeaseHolder = "coder-ghost/0",
            LeaseDuration = TimeSpan.FromHours(1),
        });
        await using var agent = _kit.StartAgent(new Dictionary<string, string>
        {
            ["MultiAgent__TaskBus__AckWait"] = "00:00:01",
            ["MultiAgent__TaskBus__MaxAttempts"] = "2",
            ["MultiAgent__TaskBus__MaxDeliveries"] = "2",
        });

        await _kit.Publisher.PublishAsync(task, default);
        var deadLettered = await _kit.WaitForTaskAsync(task.Id, AgentTaskStatus.DeadLettered);
        var failedJob = await _kit.WaitForJobAsync(job.Id, JobStatus.Failed);

        // The first delivery past MaxDeliveries ends it: the third, or a later one when the server redelivered while
        // a step-aside was on its way (AckWait is 1 s here; under load that happens).
        var reason = System.Text.RegularExpressions.Regex.Match(
            deadLettered.Error ?? "", @"^delivered (\d+) times without finishing \(MaxDeliveries is 2\)$");
        Assert.True(reason.Success && int.Parse(reason.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) >= 3, deadLettered.Error);
        // Two deliveries past the limit may both end it (they take no lease; the dead letter is stored once): the job
        // tells the reason of whichever came first.
        Assert.Matches(@"delivered \d+ times without finishing \(MaxDeliveries is 2\)", failedJob.Error);
        Assert.Empty(await _kit.ExecutionsAsync(job.Id));
        Assert.Null(deadLettered.LeaseHolder);
        await Eventually.ReturnsAsync(_ => _kit.StoredOnAsync(Subjects.Tasks(AgentType.Coder)), n => n == 0, RuntimeKit.Patience,
            "the task to leave the work queue");
    }

    [Fact]
    public async Task The_same_message_published_twice_runs_once()
    {
        var job = await _kit.CreateJobAsync();
        var task = RuntimeKit.Request(job, Scripts.Succeed);

        var firstPublish = await _kit.Publisher.PublishAsync(task, default);
        var secondPublish = await _kit.Publisher.PublishAsync(task, default);
        await using var agent = _kit.StartAgent();
        await _kit.WaitForTaskAsync(task.Id, AgentTaskStatus.Completed);
        await _kit.WaitForCompletedEventsAsync(job.Id, 1);

        // A copy that slips past JetStream's de-duplication (no message id): the task store still stops it.
        await _kit.Js.PublishAsync(Subjects.Tasks(AgentType.Coder), MessageSerializer.Serialize(task));
        await Eventually.ReturnsAsync(_ => _kit.StoredOnAsync(Subjects.Tasks(AgentType.Coder)), n => n == 0, RuntimeKit.Patience,
            "the late copy to be acknowledged");

        Assert.False(firstPublish.IsDuplicate);
        Assert.True(secondPublish.IsDuplicate);
        Assert.Single(await _kit.ExecutionsAsync(job.Id));
        Assert.Equal(1L, await _kit.StoredOnAsync(Subjects.Tasks(AgentType.RepoManager), expected: 1));
    }

    [Fact]
    public async Task A_poison_message_is_dead_lettered_its_job_fails_with_the_reason_and_the_agent_keeps_working()
    {
        var job = await _kit.CreateJobAsync();
        var poison = Encoding.UTF8.GetString(MessageSerializer.Serialize(RuntimeKit.Request(job, Scripts.Succeed)))
            .Replace("\"schemaVersion\":1", "\"schemaVersion\":2", StringComparison.Ordinal);
        Assert.Contains("\"schemaVersion\":2", poison);
        await using var agent = _kit.StartAgent();

        await _kit.Js.PublishAsync(Subjects.Tasks(AgentType.Coder), Encoding.UTF8.GetBytes(poison));
        var failed = await _kit.WaitForJobAsync(job.Id, JobStatus.Failed);

        Assert.Contains("schema version 2 is not supported", failed.Error);
        var deadLetter = await _kit.Js.GetStreamAsync(Subjects.DeadLetterStream);
        var stored = await deadLetter.GetAsync(new StreamMsgGetRequest { LastBySubj = Subjects.DeadLetter(AgentType.Coder) });
        Assert.Equal(poison, Encoding.UTF8.GetString(stored.Message.Data.Span));
        Assert.Contains("schema version 2", Encoding.UTF8.GetString(Convert.FromBase64String(stored.Message.Hdrs!)));

        var next = RuntimeKit.Request(await _kit.CreateJobAsync(), Scripts.Succeed);
        await _kit.Publisher.PublishAsync(next, default);
        await _kit.WaitForTaskAsync(next.Id, AgentTaskStatus.Completed);
        Assert.False(agent.HasExited);
    }

    [Fact]
    public async Task Seventy_unreadable_messages_are_each_dead_lettered_once_with_the_reason_and_a_real_task_still_runs()
    {
        var doomed = await _kit.CreateJobAsync();
        await using var agent = _kit.StartAgent();
        var poison = new List<byte[]>();
        for (var i = 0; i < 70; i++)
        {
            // Invalid UTF-8 inside a JSON string: well-formed JSON that cannot be read as text.
            var json = MessageSerializer.Serialize(RuntimeKit.Request(doomed, Scripts.Succeed) with { Id = $"poison-{i:D2}-XX" });
            var at = json.AsSpan().IndexOf("-XX\""u8) + 1;
            json[at] = 0xFF;
            json[at + 1] = 0xFE;
            poison.Add(json);
        }

        // Readable, but PostgreSQL cannot store a NUL character in a JSON string; and an id no subject can carry.
        poison.Add(MessageSerializer.Serialize(RuntimeKit.Request(doomed, "succeed\0")));
        poison.Add(Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(MessageSerializer.Serialize(RuntimeKit.Request(doomed, Scripts.Succeed)))
            .Replace("\"id\":\"task-", "\"id\":\"task.\\u0007", StringComparison.Ordinal)));
        foreach (var body in poison)
        {
            await _kit.Js.PublishAsync(Subjects.Tasks(AgentType.Coder), body);
        }

        var job = await _kit.CreateJobAsync();
        var real = RuntimeKit.Request(job, Scripts.Succeed);
        await _kit.Publisher.PublishAsync(real, default);
        await _kit.WaitForTaskAsync(real.Id, AgentTaskStatus.Completed);
        var deadLetters = await Eventually.ReturnsAsync(
            async ct => (await _kit.Js.GetStreamAsync(Subjects.DeadLetterStream, cancellationToken: ct)).Info.State.Messages,
            n => n >= poison.Count, RuntimeKit.Patience, $"{poison.Count} dead letters");

        Assert.Equal(poison.Count, deadLetters);
        // The real task's outcome is stored before its delivery is acked: the queue empties just after.
        await Eventually.ReturnsAsync(_ => _kit.StoredOnAsync(Subjects.Tasks(AgentType.Coder)), n => n == 0, RuntimeKit.Patience,
            "the work queue to empty");
        var reasons = new List<string>();
        var stream = await _kit.Js.GetStreamAsync(Subjects.DeadLetterStream);
        for (ulong seq = 1; seq <= (ulong)deadLetters; seq++)
        {
            var stored = await stream.GetAsync(new StreamMsgGetRequest { Seq = seq });
            reasons.Add(Encoding.UTF8.GetString(Convert.FromBase64String(stored.Message.Hdrs!)));
        }

        Assert.Equal(70, reasons.Count(r => r.Contains("Reason: envelope does not match the contract", StringComparison.Ordinal) && r.Contains("Path: $.id", StringComparison.Ordinal)));
        Assert.Single(reasons, r => r.Contains("PostgreSQL refused what the task carries", StringComparison.Ordinal));
        Assert.Single(reasons, r => r.Contains("envelope field 'id' must be", StringComparison.Ordinal));
        Assert.Equal(JobStatus.Failed, (await _kit.Jobs.GetAsync(doomed.Id))!.Status);
        Assert.Equal(JobStatus.Implementing, (await _kit.Jobs.GetAsync(job.Id))!.Status);
        Assert.False(agent.HasExited);
    }

    [Fact]
    public async Task A_non_retryable_failure_fails_the_task_and_its_job_at_once()
    {
        var job = await _kit.CreateJobAsync();
        var task = RuntimeKit.Request(job, Scripts.FailPermanent);
        await using var agent = _kit.StartAgent();

        await _kit.Publisher.PublishAsync(task, default);
        var failedTask = await _kit.WaitForTaskAsync(task.Id, AgentTaskStatus.Failed);
        var failedJob = await _kit.WaitForJobAsync(job.Id, JobStatus.Failed);

        Assert.Equal(1, failedTask.Attempts);
        Assert.Contains("scripted permanent failure", failedTask.Error);
        Assert.Contains("scripted permanent failure", failedJob.Error);
        Assert.Single(await _kit.ExecutionsAsync(job.Id));
    }

    [Fact]
    public async Task A_retryable_failure_is_retried_then_dead_lettered_and_the_job_fails()
    {
        var job = await _kit.CreateJobAsync();
        var task = RuntimeKit.Request(job, Scripts.FailRetryable);
        await using var agent = _kit.StartAgent(new Dictionary<string, string> { ["MultiAgent__TaskBus__MaxAttempts"] = "2" });

        await _kit.Publisher.PublishAsync(task, default);
        var deadLettered = await _kit.WaitForTaskAsync(task.Id, AgentTaskStatus.DeadLettered);
        var failedJob = await _kit.WaitForJobAsync(job.Id, JobStatus.Failed);

        Assert.Equal([1, 2], (await _kit.ExecutionsAsync(job.Id)).Select(r => r.Attempt));
        Assert.Contains("gave up after 2 attempts", deadLettered.Error);
        Assert.Contains("scripted transient failure", failedJob.Error);
        var deadLetter = await _kit.Js.GetStreamAsync(Subjects.DeadLetterStream);
        Assert.Equal(1L, deadLetter.Info.State.Messages);
    }

    [Theory]
    [InlineData(Scripts.BlockFirstAttempt)]
    [InlineData(Scripts.BlockThenFailWhenCancelled)]
    public async Task On_sigterm_an_agent_hands_its_unfinished_task_back_for_another_instance(string script)
    {
        var job = await _kit.CreateJobAsync();
        var task = RuntimeKit.Request(job, script);
        var first = _kit.StartAgent();
        await _kit.Publisher.PublishAsync(task, default);
        await Eventually.ReturnsAsync(ct => _kit.ExecutionsAsync(job.Id), runs => runs.Count == 1, RuntimeKit.Patience,
            "the first agent to be running the task");

        var exitCode = await first.StopAsync(TimeSpan.FromSeconds(30));
        await using var second = _kit.StartAgent();
        var done = await _kit.WaitForTaskAsync(task.Id, AgentTaskStatus.Completed);

        Assert.Equal(0, exitCode);
        Assert.Contains("handed back", first.Output);
        Assert.Equal(second.InstanceId, (await _kit.ExecutionsAsync(job.Id)).Last().Instance);
        Assert.Equal(AgentTaskStatus.Completed, done.Status);
    }

    [Fact]
    public async Task An_agent_past_its_memory_limit_hands_its_task_back_and_exits_to_be_restarted_and_the_task_completes()
    {
        var job = await _kit.CreateJobAsync();
        var task = RuntimeKit.Request(job, Scripts.HogMemoryFirstAttempt);
        var limited = new Dictionary<string, string>
        {
            ["MultiAgent__Agent__MemoryLimitBytes"] = (250L << 20).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["MultiAgent__Agent__MemoryCheckInterval"] = "00:00:00.2",
            ["MultiAgent__Agent__ShutdownGracePeriod"] = "00:00:01",
        };
        var first = _kit.StartAgent(limited);
        await _kit.Publisher.PublishAsync(task, default);

        var exitCode = await first.WaitForExitAsync(RuntimeKit.Patience);
        await using var second = _kit.StartAgent();
        var done = await _kit.WaitForTaskAsync(task.Id, AgentTaskStatus.Completed);

        Assert.Equal(MultiAgent.AgentRuntime.Health.MemoryWatchdog.ExitCode, exitCode);
        Assert.Contains("more than its limit of 250 MB", first.Output);
        Assert.Contains("handed back", first.Output);
        Assert.Equal(second.InstanceId, (await _kit.ExecutionsAsync(job.Id)).Last().Instance);
        Assert.Equal(AgentTaskStatus.Completed, done.Status);
    }

    [Fact]
    public async Task Two_instances_of_one_agent_split_a_batch_and_run_each_task_once()
    {
        var job = await _kit.CreateJobAsync();
        var tasks = Enumerable.Range(0, 12).Select(_ => RuntimeKit.Request(job, Scripts.Slow)).ToList();
        await using var one = _kit.StartAgent();
        await using var two = _kit.StartAgent();
        // Both instances are asking the server for tasks before the batch arrives: one that started late would find the
        // other had run them all (12 tasks of 0.3 s, 4 at a time, take about a second).
        await TaskQueues.WaitForPullsAsync(_kit.Js, AgentType.Coder, 2, RuntimeKit.Patience, "both instances to be waiting for tasks");
        foreach (var task in tasks)
        {
            await _kit.Publisher.PublishAsync(task, default);
        }

        foreach (var task in tasks)
        {
            await _kit.WaitForTaskAsync(task.Id, AgentTaskStatus.Completed);
        }

        await _kit.WaitForCompletedEventsAsync(job.Id, tasks.Count);

        var runs = await _kit.ExecutionsAsync(job.Id);
        Assert.Equal(tasks.Count, runs.Count);
        var byInstance = runs.GroupBy(r => r.Instance).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(2, byInstance.Count);
        Assert.True(byInstance.Values.All(count => count > 0), string.Join(", ", byInstance));
        Assert.Equal((long)tasks.Count, await _kit.StoredOnAsync(Subjects.Tasks(AgentType.RepoManager), expected: tasks.Count));
    }

    [Theory]
    [InlineData(Scripts.BlockFirstAttempt)]
    [InlineData(Scripts.BlockThenFailWhenCancelled)]
    public async Task A_job_cancel_signal_stops_the_running_task(string script)
    {
        var job = await _kit.CreateJobAsync();
        var task = RuntimeKit.Request(job, script);
        await using var agent = _kit.StartAgent();
        await _kit.Publisher.PublishAsync(task, default);
        await Eventually.ReturnsAsync(ct => _kit.ExecutionsAsync(job.Id), runs => runs.Count == 1, RuntimeKit.Patience,
            "the agent to be running the task");

        await _kit.Nats.PublishAsync(Subjects.JobCancel(job.Id), Array.Empty<byte>());
        var cancelled = await _kit.WaitForTaskAsync(task.Id, AgentTaskStatus.Cancelled);

        Assert.Equal("the job was stopped", cancelled.Error);
        Assert.Single(await _kit.ExecutionsAsync(job.Id));
        await Eventually.ReturnsAsync(_ => _kit.StoredOnAsync(Subjects.Tasks(AgentType.Coder)), n => n == 0, RuntimeKit.Patience,
            "the cancelled task to leave the work queue");
        Assert.False(agent.HasExited);
    }

    [Fact]
    public async Task A_task_of_a_job_that_has_ended_is_not_run_but_cancelled()
    {
        var job = await _kit.CreateJobAsync();
        await _kit.Jobs.TransitionAsync(job.Id, JobStatus.Cancelled);
        var task = RuntimeKit.Request(job, Scripts.Succeed);
        await using var agent = _kit.StartAgent();

        await _kit.Publisher.PublishAsync(task, default);
        var cancelled = await _kit.WaitForTaskAsync(task.Id, AgentTaskStatus.Cancelled);

        Assert.Equal("job is already Cancelled", cancelled.Error);
        Assert.Empty(await _kit.ExecutionsAsync(job.Id));
    }

    [Fact]
    public async Task One_instance_works_on_another_job_while_a_task_of_the_first_is_still_running()
    {
        var blocked = await _kit.CreateJobAsync();
        var other = await _kit.CreateJobAsync();
        var stuck = RuntimeKit.Request(blocked, Scripts.BlockFirstAttempt);
        var quick = RuntimeKit.Request(other, Scripts.Succeed);
        await using var agent = _kit.StartAgent();
        await _kit.Publisher.PublishAsync(stuck, default);
        await Eventually.ReturnsAsync(ct => _kit.ExecutionsAsync(blocked.Id), runs => runs.Count == 1, RuntimeKit.Patience,
            "the agent to be running the first task");

        await _kit.Publisher.PublishAsync(quick, default);
        var done = await _kit.WaitForTaskAsync(quick.Id, AgentTaskStatus.Completed);

        Assert.Equal(AgentTaskStatus.InProgress, (await _kit.Tasks.GetAsync(stuck.Id))!.Status);
        Assert.Equal(agent.InstanceId, Assert.Single(await _kit.ExecutionsAsync(other.Id)).Instance);
        Assert.Equal(AgentTaskStatus.Completed, done.Status);
        await _kit.Nats.PublishAsync(Subjects.JobCancel(blocked.Id), Array.Empty<byte>());
        await _kit.WaitForTaskAsync(stuck.Id, AgentTaskStatus.Cancelled);
    }
}
