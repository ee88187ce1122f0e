using MultiAgent.Contracts;
using MultiAgent.Persistence;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;

namespace Agents.RepoManager.Projects;

/// <summary>
/// Moves projects on from the event stream, through a durable consumer of its own (<see cref="Subjects.ProjectStepsConsumer"/>):
/// on <c>project.started</c> and on the end of a job that belongs to a project (<c>job.completed</c>, <c>job.failed</c>,
/// <c>job.cancelled</c>), it runs the project's next step (<see cref="ProjectWorkflow.AdvanceAsync"/>) and only then
/// acknowledges the event. Events are stored with the change they tell of and relayed if their publisher could not send
/// them, so no ended job is missed; an event is only a prompt to read the store again, so a copy or a forged one changes nothing.
/// </summary>
public sealed partial class ProjectEventListener(
    INatsJSContext js, ProjectWorkflow workflow, ProjectStore projects, ILogger<ProjectEventListener> logger, TimeProvider? time = null)
    : BackgroundService
{
    private static readonly TimeSpan AckWait = TimeSpan.FromSeconds(30);

    private readonly TimeProvider _time = time ?? TimeProvider.System;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var consumer = await js.CreateOrUpdateConsumerAsync(Subjects.EventsStream, new ConsumerConfig(Subjects.ProjectStepsConsumer)
                {
                    // Created at the first start of a system: what happened before it has no project to move.
                    DeliverPolicy = ConsumerConfigDeliverPolicy.New,
                    AckPolicy = ConsumerConfigAckPolicy.Explicit,
                    AckWait = AckWait,
                    FilterSubject = Subjects.EventsAll,
                    MaxAckPending = 64,
                }, stoppingToken);
                await foreach (var message in consumer.ConsumeAsync(NatsRawSerializer<byte[]>.Default, cancellationToken: stoppingToken))
                {
                    await HandleAsync(message, stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is NatsException or Npgsql.NpgsqlException)
            {
                LogConsumerLost(ex.Message);
                await Task.Delay(TimeSpan.FromSeconds(1), _time, stoppingToken);
            }
        }
    }

    private async Task HandleAsync(INatsJSMsg<byte[]> message, CancellationToken ct)
    {
        JobEvent jobEvent;
        try
        {
            jobEvent = MessageSerializer.DeserializeMessage<JobEvent>(message.Data ?? []);
        }
        catch (ContractViolationException)
        {
            await message.AckAsync(cancellationToken: ct);
            return;
        }

        var projectId = jobEvent.Type switch
        {
            ProjectEventTypes.Started => jobEvent.JobId,
            JobEventTypes.JobCompleted or JobEventTypes.JobFailed or JobEventTypes.JobCancelled => await projects.ProjectOfJobAsync(jobEvent.JobId, ct),
            _ => null,
        };
        if (projectId is not null)
        {
            try
            {
                await workflow.AdvanceAsync(projectId, ct);
            }
            catch (Exception ex) when (ex is NatsException or Npgsql.NpgsqlException or TimeoutException)
            {
                // Handed back: the event comes again and the step is retried (it is decided from the store).
                LogStepFailed(projectId, jobEvent.Type, ex.Message);
                await message.NakAsync(delay: TimeSpan.FromSeconds(2), cancellationToken: ct);
                return;
            }
        }

        await message.AckAsync(cancellationToken: ct);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Project steps: the event consumer was lost, subscribing again: {Reason}")]
    private partial void LogConsumerLost(string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Project {ProjectId}: the step after {EventType} failed, retrying: {Reason}")]
    private partial void LogStepFailed(string projectId, string eventType, string reason);
}
