using System.CommandLine;
using Microsoft.Extensions.Logging.Abstractions;
using MultiAgent.Cli.Connection;
using MultiAgent.Cli.Output;
using MultiAgent.Contracts;
using MultiAgent.Messaging;
using NATS.Client.Core;
using Spectre.Console;

namespace MultiAgent.Cli.Commands;

/// <summary>
/// <c>watch &lt;job-id&gt; [--json]</c>: prints the job's events (those already recorded, then new ones live) until the
/// job ends; with <c>--json</c> one <see cref="JobEvent"/> per line (NDJSON) and nothing else. Exit code 0 when it
/// COMPLETED, 1 when it FAILED or was CANCELLED.
/// </summary>
internal static class WatchCommand
{
    /// <summary>How often the job's status is checked besides the events (events are best effort; the store is not).</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(5);

    /// <summary>How long a terminal state seen by polling waits for its event, so that the event is printed too.</summary>
    private static readonly TimeSpan EventGrace = TimeSpan.FromSeconds(2);

    public static Command Create(CliContext cli)
    {
        var jobId = JobIdArgument.Create();
        var json = new Option<bool>("--json")
        {
            Description = "One event per line as JSON (NDJSON: the contracts' JobEvent), nothing else on stdout",
        };
        var command = new Command("watch",
            "Follow a job's events live until it ends (or a project's, given its proj-… id). Exit code 0 if it COMPLETED, 1 if it FAILED, was CANCELLED (or a project ended PARTIAL)")
        {
            jobId, json,
        };
        command.SetAction((parseResult, cancellationToken) => cli.RunAsync(async ct =>
        {
            var id = JobIdArgument.Get(parseResult, jobId);
            var asJson = parseResult.GetValue(json);
            var settings = cli.Settings(parseResult);
            await using var session = await cli.ConnectAsync(settings, quiet: asJson, ct);
            if (ProjectIdArgument.IsProjectId(id))
            {
                return await ProjectWatch.FollowAsync(cli, session, id, asJson, ct);
            }

            var status = await cli.Out.SpinAsync($"Asking for {id}…", quiet: asJson, () => session.Queries.JobStatusAsync(id, ct));
            if (Formats.IsTerminal(status.Job.Status))
            {
                if (asJson)
                {
                    // What it would have followed: the job's recorded events, one per line.
                    foreach (var entry in status.Timeline)
                    {
                        JsonOutput.Write(cli.Out.Writer, EventViews.ToJobEvent(id, entry));
                    }
                }
                else
                {
                    EventViews.Final(cli.Out, id, status.Job.Status, status.Job.Error ?? "the job had already ended");
                }

                return ExitCode(status.Job.Status);
            }

            if (!asJson)
            {
                cli.Out.MarkupLine($"Watching job [bold]{Markup.Escape(id)}[/] ({Markup.Escape(Wire.Name(status.Job.Status))}); Ctrl+C to stop watching (the job goes on)");
            }

            var (final, detail) = await FollowAsync(cli, session, id, asJson, ct);
            if (!asJson)
            {
                EventViews.Final(cli.Out, id, final, detail);
            }

            return ExitCode(final);
        }, cancellationToken));
        return command;
    }

    private static int ExitCode(JobStatus status) => status == JobStatus.Completed ? ExitCodes.Ok : ExitCodes.Failure;

    private static async Task<(JobStatus Status, string? Detail)> FollowAsync(
        CliContext cli, NatsSession session, string jobId, bool json, CancellationToken cancellationToken)
    {
        using var watching = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var events = FollowEventsAsync(cli, session, jobId, json, watching.Token);
        var polling = PollAsync(session, jobId, watching.Token);
        try
        {
            var first = await Task.WhenAny(events, polling);
            if (first == events && await events is { } ended)
            {
                return ended;
            }

            if (first == polling)
            {
                var job = await polling;

                // The store says the job ended; its event is normally on its way: give it a moment, then stop waiting.
                await Task.WhenAny(events, Task.Delay(EventGrace, cancellationToken));
                if (events.IsCompletedSuccessfully && events.Result is { } endedToo)
                {
                    return endedToo;
                }

                return (job.Status, job.Error);
            }

            // Live events are not available: the status checks go on alone.
            var polled = await polling;
            return (polled.Status, polled.Error);
        }
        finally
        {
            await watching.CancelAsync();
            await Quietly(events);
            await Quietly(polling);
        }
    }

    /// <summary>Prints events until a terminal one; null if the events cannot be followed.</summary>
    private static async Task<(JobStatus, string?)?> FollowEventsAsync(
        CliContext cli, NatsSession session, string jobId, bool json, CancellationToken cancellationToken)
    {
        var publisher = new EventPublisher(session.JetStream, NullLogger<EventPublisher>.Instance);
        try
        {
            await foreach (var jobEvent in publisher.SubscribeAsync(jobId, cancellationToken))
            {
                if (json)
                {
                    JsonOutput.Write(cli.Out.Writer, jobEvent);
                }
                else
                {
                    EventViews.Event(cli.Out, jobEvent);
                }

                JobStatus? ended = jobEvent.Type switch
                {
                    JobEventTypes.JobCompleted => JobStatus.Completed,
                    JobEventTypes.JobFailed => JobStatus.Failed,
                    JobEventTypes.JobCancelled => JobStatus.Cancelled,
                    _ => null,
                };
                if (ended is { } status)
                {
                    return (status, jobEvent.Message);
                }
            }
        }
        catch (Exception ex) when (ex is NatsException && !cancellationToken.IsCancellationRequested)
        {
            cli.Warn($"cannot follow the job's events ({ex.Message}); checking its status every {PollInterval.TotalSeconds:0}s instead");
        }

        return null;
    }

    /// <summary>Checks the job's status until it is terminal.</summary>
    private static async Task<JobSummary> PollAsync(NatsSession session, string jobId, CancellationToken cancellationToken)
    {
        while (true)
        {
            await Task.Delay(PollInterval, cancellationToken);
            try
            {
                var reply = await session.Queries.JobStatusAsync(jobId, cancellationToken);
                if (Formats.IsTerminal(reply.Job.Status))
                {
                    return reply.Job;
                }
            }
            catch (Exception ex) when (ex is TimeoutException or NatsException && !cancellationToken.IsCancellationRequested)
            {
                // The Repo Manager may be restarting: try again at the next interval.
            }
            catch (QueryException ex) when (ex.Error.Code == QueryErrorCodes.Internal)
            {
                // PostgreSQL may be briefly unavailable: likewise.
            }
        }
    }

    private static async Task Quietly(Task task)
    {
        try
        {
            await task;
        }
        catch (OperationCanceledException)
        {
            // Stopped on purpose.
        }
    }
}
