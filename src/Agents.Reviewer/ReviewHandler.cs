using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MultiAgent.AgentRuntime.Tasks;
using MultiAgent.Contracts;
using MultiAgent.Repositories;
using MultiAgent.Repositories.Reviews;

namespace Agents.Reviewer;

/// <summary>
/// The Reviewer's work for one <see cref="ReviewRequest"/>: the pull request's diff, the model's verdict as JSON (the
/// diff split by file into chunks under <see cref="ReviewerOptions.MaxDiffChars"/> when it is larger), the policy on
/// top of it, the review posted on the pull request, and a <see cref="ReviewResult"/> for the Repo Manager.
/// </summary>
/// <remarks>
/// Policy: a BLOCKING comment means REQUEST_CHANGES whatever the model decided, and a failed check is never approved.
/// Posting is idempotent per task: the review is marked with the task's id (<see cref="ReviewMarks"/>), and a redelivered
/// task whose review is already on the pull request posts nothing and answers with what that review records.
/// A reply that is not the expected JSON is sent back once with the error; a second bad reply fails the task (not
/// retryable). Host failures are retryable when the host says so.
/// </remarks>
public sealed class ReviewHandler(
    RepositoryHostResolver hosts, IReviewModelProvider models, IOptions<ReviewerOptions> options, ILogger<ReviewHandler>? logger = null)
    : ITaskHandler<ReviewRequest>
{
    internal const string SystemPrompt =
        """
        You are a meticulous code reviewer. You are given the unified diff of a pull request (possibly one part of it).
        Review it for correctness, bugs, security problems, missing tests and clarity.
        Reply with ONLY one JSON object, no prose and no code fences, of this shape:
        {"decision":"APPROVE"|"REQUEST_CHANGES","summary":"...","comments":[{"file":"path/in/repo","line":12,"severity":"INFO"|"SUGGESTION"|"BLOCKING","body":"..."}]}
        "line" is the 1-based line in the new version of the file, or null for a comment on the file as a whole.
        Use BLOCKING only for problems that must be fixed before merging; if there is any, the decision is REQUEST_CHANGES.
        """;

    private static readonly JsonElement Schema = JsonDocument.Parse(
        """
        {
          "type": "object",
          "properties": {
            "decision": { "type": "string", "enum": ["APPROVE", "REQUEST_CHANGES"] },
            "summary": { "type": "string" },
            "comments": {
              "type": "array",
              "items": {
                "type": "object",
                "properties": {
                  "file": { "type": "string" },
                  "line": { "type": ["integer", "null"] },
                  "severity": { "type": "string", "enum": ["INFO", "SUGGESTION", "BLOCKING"] },
                  "body": { "type": "string" }
                },
                "required": ["file", "line", "severity", "body"],
                "additionalProperties": false
              }
            }
          },
          "required": ["decision", "summary", "comments"],
          "additionalProperties": false
        }
        """).RootElement.Clone();

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
            var reason = $"the model call failed: {ex.Message}";
            throw FailureClassifier.Classify(ex) == FailureKind.Retryable
                ? new RetryableTaskException(reason, ex)
                : new NonRetryableTaskException(reason, ex);
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
        var chunks = Chunk(diff, _options.MaxDiffChars);

        var verdicts = new List<ModelReview>();
        var usage = TokenUsage.Zero;
        await using (var model = await models.OpenAsync(context, ct))
        {
            for (var i = 0; i < chunks.Count; i++)
            {
                var (verdict, used) = await ReviewChunkAsync(model.Client, request, chunks[i], i + 1, chunks.Count, ct);
                verdicts.Add(verdict);
                usage += used;
            }
        }

        var (decision, summary, comments) = ApplyPolicy(Combine(verdicts), request.Check);
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

    /// <summary>The diff whole when it fits; else its files packed in order into chunks of at most <paramref name="max"/> characters.</summary>
    internal static IReadOnlyList<string> Chunk(PullRequestDiff diff, int max)
    {
        if (diff.UnifiedDiff.Length <= max || diff.Files.Count == 0)
        {
            return [Cut(diff.UnifiedDiff, max)];
        }

        var chunks = new List<string>();
        var current = new StringBuilder();
        foreach (var file in diff.Files)
        {
            var section = Cut(FileSection(file), max);
            if (current.Length > 0 && current.Length + section.Length > max)
            {
                chunks.Add(current.ToString());
                current.Clear();
            }

            current.Append(section);
        }

        if (current.Length > 0)
        {
            chunks.Add(current.ToString());
        }

        return chunks;
    }

    private static string FileSection(ChangedFile file)
    {
        var section = new StringBuilder();
        section.Append("diff --git a/").Append(file.PreviousPath ?? file.Path).Append(" b/").Append(file.Path).Append('\n');
        section.Append("--- ").Append(file.Status == FileChangeStatus.Added ? "/dev/null" : "a/" + (file.PreviousPath ?? file.Path)).Append('\n');
        section.Append("+++ ").Append(file.Status == FileChangeStatus.Removed ? "/dev/null" : "b/" + file.Path).Append('\n');
        section.Append(file.Patch);
        if (section.Length > 0 && section[^1] != '\n')
        {
            section.Append('\n');
        }

        return section.ToString();
    }

    private static string Cut(string text, int max)
    {
        const string marker = "\n[… diff cut: too long to review in one request …]\n";
        return text.Length <= max ? text : text[..Math.Max(0, max - marker.Length)] + marker;
    }

    private static async Task<(ModelReview Review, TokenUsage Usage)> ReviewChunkAsync(
        IChatClient client, ReviewRequest request, string chunk, int part, int parts, CancellationToken ct)
    {
        var messages = new List<ChatMessage>
        {
            new(ChatRole.System, SystemPrompt),
            new(ChatRole.User, UserPrompt(request, chunk, part, parts)),
        };
        var chatOptions = new ChatOptions
        {
            ResponseFormat = ChatResponseFormat.ForJsonSchema(Schema, "review", "A code review verdict with comments."),
        };

        var usage = TokenUsage.Zero;
        string? error = null;
        for (var attempt = 0; attempt < 2; attempt++)
        {
            var response = await client.GetResponseAsync(messages, chatOptions, ct);
            usage += new TokenUsage(response.Usage?.InputTokenCount ?? 0, response.Usage?.OutputTokenCount ?? 0);
            var text = response.Text;
            if (TryParse(text, out var review, out error))
            {
                return (review, usage);
            }

            messages.Add(new ChatMessage(ChatRole.Assistant, text));
            messages.Add(new ChatMessage(ChatRole.User,
                $"Your reply was not valid: {error}. Reply again with ONLY the JSON object of the required shape, nothing else."));
        }

        throw new NonRetryableTaskException($"the model's review was not valid JSON: {error}");
    }

    private static string UserPrompt(ReviewRequest request, string chunk, int part, int parts)
    {
        var prompt = new StringBuilder();
        prompt.Append(CultureInfo.InvariantCulture, $"Pull request #{request.PullRequestNumber} of {request.Repository}, iteration {request.Iteration}, head {request.HeadSha}.\n");
        prompt.Append(CultureInfo.InvariantCulture, $"The build/test check: {WireName<CheckOutcome>.Of(request.Check)}.\n");
        if (parts > 1)
        {
            prompt.Append(CultureInfo.InvariantCulture, $"The diff is too large for one request: this is part {part} of {parts}; review only the files in it.\n");
        }

        prompt.Append("\n```diff\n").Append(chunk);
        if (chunk.Length > 0 && chunk[^1] != '\n')
        {
            prompt.Append('\n');
        }

        prompt.Append("```\n");
        return prompt.ToString();
    }

    /// <summary>Parses and checks the model's reply; a code fence around the object is tolerated.</summary>
    internal static bool TryParse(string? text, out ModelReview review, out string error)
    {
        review = null!;
        var json = StripFence(text ?? string.Empty);
        if (json.Length == 0)
        {
            error = "the reply was empty";
            return false;
        }

        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                error = "the reply is not a JSON object";
                return false;
            }

            if (!root.TryGetProperty("decision", out var decisionElement) || decisionElement.ValueKind != JsonValueKind.String)
            {
                error = "\"decision\" is missing or not a string";
                return false;
            }

            ReviewDecision decision;
            switch (decisionElement.GetString())
            {
                case "APPROVE":
                    decision = ReviewDecision.Approve;
                    break;
                case "REQUEST_CHANGES":
                    decision = ReviewDecision.RequestChanges;
                    break;
                default:
                    error = $"\"decision\" must be \"APPROVE\" or \"REQUEST_CHANGES\", not \"{decisionElement.GetString()}\"";
                    return false;
            }

            if (!root.TryGetProperty("summary", out var summaryElement) || summaryElement.ValueKind != JsonValueKind.String)
            {
                error = "\"summary\" is missing or not a string";
                return false;
            }

            var comments = new List<ReviewComment>();
            if (root.TryGetProperty("comments", out var commentsElement) && commentsElement.ValueKind != JsonValueKind.Null)
            {
                if (commentsElement.ValueKind != JsonValueKind.Array)
                {
                    error = "\"comments\" is not an array";
                    return false;
                }

                var index = 0;
                foreach (var item in commentsElement.EnumerateArray())
                {
                    if (!TryParseComment(item, out var comment, out var reason))
                    {
                        error = $"comments[{index}]: {reason}";
                        return false;
                    }

                    comments.Add(comment);
                    index++;
                }
            }

            review = new ModelReview(decision, summaryElement.GetString()!.Trim(), comments);
            error = string.Empty;
            return true;
        }
        catch (JsonException ex)
        {
            error = ex.Message;
            return false;
        }
    }

    private static bool TryParseComment(JsonElement item, out ReviewComment comment, out string error)
    {
        comment = null!;
        if (item.ValueKind != JsonValueKind.Object)
        {
            error = "not an object";
            return false;
        }

        var file = string.Empty;
        if (item.TryGetProperty("file", out var fileElement) && fileElement.ValueKind != JsonValueKind.Null)
        {
            if (fileElement.ValueKind != JsonValueKind.String)
            {
                error = "\"file\" is not a string";
                return false;
            }

            file = fileElement.GetString()!;
        }

        int? line = null;
        if (item.TryGetProperty("line", out var lineElement) && lineElement.ValueKind != JsonValueKind.Null)
        {
            if (lineElement.ValueKind != JsonValueKind.Number || !lineElement.TryGetInt32(out var number) || number < 1)
            {
                error = "\"line\" is not a positive integer or null";
                return false;
            }

            line = number;
        }

        if (!item.TryGetProperty("severity", out var severityElement) || severityElement.ValueKind != JsonValueKind.String)
        {
            error = "\"severity\" is missing or not a string";
            return false;
        }

        ReviewCommentSeverity severity;
        switch (severityElement.GetString())
        {
            case "INFO":
                severity = ReviewCommentSeverity.Info;
                break;
            case "SUGGESTION":
                severity = ReviewCommentSeverity.Suggestion;
                break;
            case "BLOCKING":
                severity = ReviewCommentSeverity.Blocking;
                break;
            default:
                error = $"\"severity\" must be \"INFO\", \"SUGGESTION\" or \"BLOCKING\", not \"{severityElement.GetString()}\"";
                return false;
        }

        if (!item.TryGetProperty("body", out var bodyElement) || bodyElement.ValueKind != JsonValueKind.String
            || string.IsNullOrWhiteSpace(bodyElement.GetString()))
        {
            error = "\"body\" is missing or empty";
            return false;
        }

        comment = new ReviewComment(file, severity, bodyElement.GetString()!, line);
        error = string.Empty;
        return true;
    }

    private static string StripFence(string text)
    {
        var trimmed = text.Trim();
        if (!trimmed.StartsWith("```", StringComparison.Ordinal))
        {
            return trimmed;
        }

        var firstNewline = trimmed.IndexOf('\n', StringComparison.Ordinal);
        var closing = trimmed.LastIndexOf("```", StringComparison.Ordinal);
        return firstNewline < 0 || closing <= firstNewline ? trimmed : trimmed[(firstNewline + 1)..closing].Trim();
    }

    /// <summary>One verdict from the parts': changes requested if any part requests them; comments and summaries in order.</summary>
    internal static ModelReview Combine(IReadOnlyList<ModelReview> parts)
    {
        if (parts.Count == 1)
        {
            return parts[0];
        }

        var decision = parts.Any(p => p.Decision == ReviewDecision.RequestChanges) ? ReviewDecision.RequestChanges : ReviewDecision.Approve;
        var summary = string.Join("\n\n", parts.Select((p, i) => string.Create(CultureInfo.InvariantCulture, $"Part {i + 1} of {parts.Count}: {p.Summary}")));
        return new ModelReview(decision, summary, [.. parts.SelectMany(p => p.Comments)]);
    }

    /// <summary>A BLOCKING comment requests changes; a failed check is never approved (and says so in a comment).</summary>
    internal static ModelReview ApplyPolicy(ModelReview review, CheckOutcome check)
    {
        var decision = review.Decision;
        var comments = review.Comments.ToList();
        if (comments.Any(c => c.Severity == ReviewCommentSeverity.Blocking))
        {
            decision = ReviewDecision.RequestChanges;
        }

        if (check == CheckOutcome.Failed)
        {
            decision = ReviewDecision.RequestChanges;
            comments.Add(new ReviewComment(string.Empty, ReviewCommentSeverity.Blocking,
                "The check (build and tests) failed on this head; a change whose check fails cannot be approved. Make it pass."));
        }

        return new ModelReview(decision, string.IsNullOrWhiteSpace(review.Summary) ? "(no summary)" : review.Summary, comments);
    }
}

/// <summary>A verdict as the model gave it (or as combined and adjusted by the policy).</summary>
public sealed record ModelReview(ReviewDecision Decision, string Summary, IReadOnlyList<ReviewComment> Comments);
