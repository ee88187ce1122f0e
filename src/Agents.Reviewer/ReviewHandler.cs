using System.Globalization;
using Agents.Reviewer.Review;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MultiAgent.AgentRuntime.Tasks;
using MultiAgent.Contracts;
using MultiAgent.Llm;
using MultiAgent.Repositories;
using MultiAgent.Repositories.Reviews;

namespace Agents.Reviewer;

/// <summary>
/// The Reviewer's work for one <see cref="ReviewRequest"/>: the pull request's diff (in parts, <see cref="DiffChunks"/>),
/// the model's verdict on each part (<see cref="ReviewPrompt"/>, read by <see cref="VerdictReader"/>), the policy on top
/// (<see cref="ReviewPolicy"/>), the review posted once on the pull request (<see cref="ReviewMarks"/>), and a
/// <see cref="ReviewResult"/> for the Repo Manager.
/// </summary>
public sealed class ReviewHandler(
    RepositoryHostResolver hosts, ITaskModelProvider models, IOptions<ReviewerOptions> options, ILogger<ReviewHandler>? logger = null)
    : ITaskHandler<ReviewRequest>
{
    private readonly ReviewerOptions _options = options.Value;
    private readonly ILogger _logger = (ILogger?)logger ?? NullLogger.Instance;

    public async Task<TaskResult> HandleAsync(TaskContext context, ReviewRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(request);
        try
        {
            return await ReviewAsync(context, request, cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            throw ReviewPolicy.ModelCallFailed(ex);
        }
    }

    private async Task<TaskResult> ReviewAsync(TaskContext context, ReviewRequest request, CancellationToken ct)
    {
        var repository = RepositoryReference.Parse(request.Repository);
        var host = hosts.For(repository);

        // At-least-once delivery: an earlier attempt of this task may have posted its review and died before its
        // outcome was stored. Its review carries the task's id; then nothing is posted again, and the answer is the
        // one recorded with that review (no model call), or, if none can be read, this run's verdict. Only a review
        // posted by this system's account counts: anyone who may review the pull request can copy the marks.
        var identity = await host.GetIdentityAsync(ct);
        var reviews = await host.ListReviewsAsync(repository, request.PullRequestNumber, ct);
        var posted = ReviewMarks.FindFor(reviews.Where(r => r.IsBy(identity)), context.TaskId);
        if (posted is not null && ReviewMarks.ReadResult(posted.Body, request) is { } recorded)
        {
            _logger.LogInformation(
                "Task {TaskId}: its review of pull request #{Number} is already posted (review {ReviewId}); answering with it, without asking the model again",
                context.TaskId, request.PullRequestNumber, posted.Id);
            return Outcome(request, recorded, "already posted by an earlier attempt");
        }

        var diff = await host.GetDiffAsync(repository, request.PullRequestNumber, ct);
        var chunks = DiffChunks.Split(diff, _options.MaxDiffChars);

        var verdicts = new List<ModelReview>();
        var usage = TokenUsage.Zero;
        await using (var model = models.Open(AgentType.Reviewer, context.TaskId, context.JobId, request.Budget, request.Spent))
        {
            try
            {
                for (var i = 0; i < chunks.Count; i++)
                {
                    var (verdict, used) = await ReviewChunkAsync(model.Client, request, chunks[i], i + 1, chunks.Count, ct);
                    verdicts.Add(verdict);
                    usage += used;
                }

                usage = model.Priced(usage);
            }
            finally
            {
                // Paid for even if the task fails from here on.
                context.Spent.Report(model.Used);
            }
        }

        var (decision, summary, comments) = ReviewPolicy.Apply(ReviewPolicy.Combine(verdicts), request.Check);
        var result = new ReviewResult(request.JobId, request.TaskId, request.Iteration, decision, summary, comments, usage);
        var parts = string.Create(CultureInfo.InvariantCulture, $"{chunks.Count} part(s) reviewed");
        if (posted is null)
        {
            await host.PostReviewAsync(
                repository, request.PullRequestNumber, new ReviewSubmission(decision, ReviewMarks.Append(summary, context.TaskId, result), comments, request.HeadSha), ct);
        }
        else
        {
            _logger.LogWarning(
                "Task {TaskId}: its review of pull request #{Number} is already posted (review {ReviewId}) but records no readable verdict; not posting again, answering with this run's verdict",
                context.TaskId, request.PullRequestNumber, posted.Id);
            parts += ", not posted again (an earlier attempt had posted it)";
        }

        return Outcome(request, result, parts);
    }

    private static TaskResult Outcome(ReviewRequest request, ReviewResult result, string how)
    {
        var taskSummary = string.Create(CultureInfo.InvariantCulture,
            $"pull request #{request.PullRequestNumber}: {WireName<ReviewDecision>.Of(result.Decision)} with {result.Comments.Count} comment(s), {how}");
        return new TaskResult(taskSummary, result.TokenUsage, [MessageSerializer.Wrap(result, AgentType.RepoManager, request.JobId)]);
    }

    /// <summary>One part's verdict: the model asked, and a reply that is not the expected JSON sent back with the error (<see cref="ReviewPolicy.ModelAttempts"/>).</summary>
    private static async Task<(ModelReview Review, TokenUsage Usage)> ReviewChunkAsync(
        IChatClient client, ReviewRequest request, string chunk, int part, int parts, CancellationToken ct)
    {
        var messages = new List<ChatMessage>
        {
            new(ChatRole.System, ReviewPrompt.System),
            new(ChatRole.User, ReviewPrompt.User(request, chunk, part, parts)),
        };
        var chatOptions = ReviewPrompt.Options();

        var usage = TokenUsage.Zero;
        string? error = null;
        for (var attempt = 0; attempt < ReviewPolicy.ModelAttempts; attempt++)
        {
            var response = await client.GetResponseAsync(messages, chatOptions, ct);
            usage += new TokenUsage(response.Usage?.InputTokenCount ?? 0, response.Usage?.OutputTokenCount ?? 0);
            var text = response.Text;
            if (VerdictReader.TryRead(text, out var review, out error))
            {
                return (review, usage);
            }

            messages.Add(new ChatMessage(ChatRole.Assistant, text));
            messages.Add(new ChatMessage(ChatRole.User, ReviewPrompt.Repair(error)));
        }

        throw ReviewPolicy.InvalidVerdict(error!);
    }
}
