using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using MultiAgent.AgentRuntime;
using MultiAgent.AgentRuntime.Tasks;
using MultiAgent.Contracts;
using MultiAgent.Persistence;

namespace MultiAgent.UnitTests.Runtime;

/// <summary>Typed handlers: each message type goes to its handler; what an agent does not take is refused.</summary>
public sealed class TaskHandlerTests
{
    [Fact]
    public async Task Each_message_goes_to_the_handler_registered_for_its_type()
    {
        using var host = Build(agent => agent
            .Handle<FeatureRequest, RecordingHandler>()
            .Handle<ReviewResult, RecordingHandler>());
        var handlers = host.Services.GetRequiredService<TaskHandlers>();
        var feature = new FeatureRequest("job-1", "acme/widgets", "A feature", DateTimeOffset.UnixEpoch);
        var review = new ReviewResult("job-1", "task-2", 1, ReviewDecision.Approve, "fine");

        var first = await handlers.HandleAsync(Context(feature), default);
        var second = await handlers.HandleAsync(Context(review), default);

        Assert.Equal("FeatureRequest A feature", first.Summary);
        Assert.Equal("ReviewResult fine", second.Summary);
        Assert.Equal([MessageTypes.FeatureRequest, MessageTypes.ReviewResult], handlers.MessageTypes.Order());
        Assert.Same(host.Services.GetRequiredService<RecordingHandler>(), host.Services.GetRequiredService<RecordingHandler>());
    }

    [Fact]
    public async Task A_message_type_without_a_handler_fails_without_a_retry()
    {
        using var host = Build(agent => agent.Handle<FeatureRequest, RecordingHandler>());
        var handlers = host.Services.GetRequiredService<TaskHandlers>();

        var failure = await Assert.ThrowsAsync<NonRetryableTaskException>(() =>
            handlers.HandleAsync(Context(new ReviewResult("job-1", "task-2", 1, ReviewDecision.Approve, "fine")), default));

        Assert.Equal("no handler takes 'review.result' messages", failure.Message);
    }

    [Fact]
    public async Task Only_a_handler_that_asks_is_told_of_a_message_whose_job_had_ended()
    {
        using var host = Build(agent => agent.Handle<FeatureRequest, RecordingHandler>().Handle<ReviewResult, PlainHandler>());
        var handlers = host.Services.GetRequiredService<TaskHandlers>();
        var ended = new JobRecord { Id = "job-1", Repository = "acme/widgets", Title = "x", Status = JobStatus.Cancelled };

        await handlers.JobAlreadyEndedAsync(Context(new FeatureRequest("job-1", "acme/widgets", "A feature", DateTimeOffset.UnixEpoch)), ended, default);
        await handlers.JobAlreadyEndedAsync(Context(new ReviewResult("job-1", "task-2", 1, ReviewDecision.Approve, "fine")), ended, default);

        Assert.Equal(["ended: A feature CANCELLED"], host.Services.GetRequiredService<RecordingHandler>().Ended);
    }

    [Fact]
    public void An_agent_refuses_a_handler_for_a_message_it_does_not_take_or_a_second_one_for_the_same_type()
    {
        var notTaken = Assert.Throws<ArgumentException>(() => Build(agent => agent.Handle<ImplementationRequest, PlainHandler>()));
        var twice = Assert.Throws<ArgumentException>(() => Build(agent => agent.Handle<FeatureRequest, RecordingHandler>().Handle<FeatureRequest, RecordingHandler>()));

        Assert.StartsWith("The Repo Manager does not take 'implementation.request' messages", notTaken.Message, StringComparison.Ordinal);
        Assert.StartsWith("'feature.request' already has a handler", twice.Message, StringComparison.Ordinal);
    }

    private static IHost Build(Action<AgentBuilder> handlers)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration["ConnectionStrings:nats"] = "nats://127.0.0.1:1";
        builder.Configuration["ConnectionStrings:multiagentdb"] = "Host=127.0.0.1;Port=1;Username=u;Password=p;Database=d";
        handlers(builder.AddAgent(AgentType.RepoManager));
        return builder.Build();
    }

    private static TaskContext Context<T>(T message)
        where T : class => new(MessageSerializer.Wrap(message, AgentType.RepoManager, "job-1"), 1, false);

    private sealed class RecordingHandler : ITaskHandler<FeatureRequest>, ITaskHandler<ReviewResult>, IEndedJobHandler<FeatureRequest>
    {
        public List<string> Ended { get; } = [];

        public Task<TaskResult> HandleAsync(TaskContext context, FeatureRequest message, CancellationToken cancellationToken) =>
            Task.FromResult(new TaskResult($"FeatureRequest {message.Title}"));

        public Task<TaskResult> HandleAsync(TaskContext context, ReviewResult message, CancellationToken cancellationToken) =>
            Task.FromResult(new TaskResult($"ReviewResult {message.Summary}"));

        public Task OnJobAlreadyEndedAsync(TaskContext context, FeatureRequest message, JobRecord job, CancellationToken cancellationToken)
        {
            Ended.Add($"ended: {message.Title} {WireName<JobStatus>.Of(job.Status)}");
            return Task.CompletedTask;
        }
    }

    private sealed class PlainHandler : ITaskHandler<ReviewResult>, ITaskHandler<ImplementationRequest>
    {
        public Task<TaskResult> HandleAsync(TaskContext context, ReviewResult message, CancellationToken cancellationToken) =>
            Task.FromResult(new TaskResult("plain"));

        public Task<TaskResult> HandleAsync(TaskContext context, ImplementationRequest message, CancellationToken cancellationToken) =>
            Task.FromResult(new TaskResult("plain"));
    }
}
