using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Text.Unicode;
using MultiAgent.Contracts;
namespace MultiAgent.Repositories.Reviews;

/// <summary>
/// What the Reviewer writes at the end of a review's text, out of sight (HTML comments, which GitHub does not show), so
/// that a redelivered task finds the review it already posted instead of posting a second one, and so that the Repo
/// Manager can check a review result it receives against the review on the pull request:
/// <code>
/// &lt;!-- multiagent-review-task: TASK-ID --&gt;
/// &lt;!-- multiagent-review-result: {"jobId":…,"decision":…,"summary":…,"comments":[…],"tokenUsage":{…}} --&gt;
/// </code>
/// The first line identifies the task; the second is the <see cref="ReviewResult"/> that was answered, from which a
/// redelivery rebuilds the same answer without asking the model again. The second line is left out when it would be
/// longer than <see cref="MaxResultChars"/> (GitHub limits a review's body to 65,536 characters).
/// </summary>
/// <remarks>
/// The task id is URL-escaped and the JSON is written with every HTML-sensitive character escaped (<c>&lt;</c> and
/// <c>&gt;</c> become <c>\u003C</c> and <c>\u003E</c>), so neither can end its comment early; each stays on one line.
/// </remarks>
public static class ReviewMarks
{
    /// <summary>Longest result line that is written; a larger verdict is marked with the task line only.</summary>
    public const int MaxResultChars = 20_000;

    private const string TaskPrefix = "<!-- multiagent-review-task: ";
    private const string ResultPrefix = "<!-- multiagent-review-result: ";
    private const string Suffix = " -->";

    private static readonly JsonTypeInfo<ReviewResult> ResultJson = (JsonTypeInfo<ReviewResult>)new JsonSerializerOptions(ContractsJsonContext.Default.Options)
    {
        // Non-ASCII text as it is (shorter than \uXXXX); '<', '>', '&', quotes and '+' escaped all the same.
        Encoder = JavaScriptEncoder.Create(UnicodeRanges.All),
    }.GetTypeInfo(typeof(ReviewResult));

    /// <summary>The line that identifies the task's review.</summary>
    public static string TaskLine(string taskId) => TaskPrefix + Uri.EscapeDataString(taskId) + Suffix;

    /// <summary>The summary to post: the summary, a blank line, the task line, and the result line when it is small enough.</summary>
    public static string Append(string summary, string taskId, ReviewResult result)
    {
        var text = new StringBuilder(summary.TrimEnd()).Append("\n\n").Append(TaskLine(taskId));
        var json = JsonSerializer.Serialize(result, ResultJson);
        if (ResultPrefix.Length + json.Length + Suffix.Length <= MaxResultChars)
        {
            text.Append('\n').Append(ResultPrefix).Append(json).Append(Suffix);
        }

        return text.ToString();
    }

    /// <summary>The first of <paramref name="reviews"/> marked with <paramref name="taskId"/>'s task line, or null.</summary>
    public static PostedReview? FindFor(IEnumerable<PostedReview> reviews, string taskId)
    {
        return reviews.FirstOrDefault(review => IsMarkedFor(review.Body, taskId));
    }

    /// <summary>Whether <paramref name="body"/> carries <paramref name="taskId"/>'s task line.</summary>
    public static bool IsMarkedFor(string body, string taskId)
    {
        ArgumentNullException.ThrowIfNull(body);
        var line = TaskLine(taskId);
        return Lines(body).Any(l => l == line);
    }

    /// <summary>
    /// The result recorded in <paramref name="body"/> if there is one, it can be read, and it answers
    /// <paramref name="request"/> (same job, task and iteration) without an error; else null.
    /// </summary>
    public static ReviewResult? ReadResult(string body, ReviewRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return ReadResult(body) is { } result
            && result.JobId == request.JobId && result.TaskId == request.TaskId && result.Iteration == request.Iteration && result.Error is null
            ? result
            : null;
    }

    /// <summary>The result recorded in <paramref name="body"/> (its result line), if there is one and it can be read; else null.</summary>
    public static ReviewResult? ReadResult(string body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var line = Lines(body).FirstOrDefault(l => l.StartsWith(ResultPrefix, StringComparison.Ordinal) && l.EndsWith(Suffix, StringComparison.Ordinal));
        if (line is null)
        {
            return null;
        }

        try
        {
            return MessageSerializer.DeserializeMessage<ReviewResult>(Encoding.UTF8.GetBytes(line[ResultPrefix.Length..^Suffix.Length]));
        }
        catch (ContractViolationException)
        {
            return null;
        }
    }

    private static IEnumerable<string> Lines(string body) => body.Split('\n').Select(l => l.Trim());
}
