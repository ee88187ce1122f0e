using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using MultiAgent.Contracts;

namespace Agents.Reviewer.Review;

/// <summary>
/// Reads the model's reply as a verdict (<see cref="VerdictJson"/>, source-generated) and checks what the types cannot:
/// a known decision and severity, a summary, a non-empty body, a positive line. The error says what is wrong, in words
/// the model can act on; it goes back to the model once (<see cref="ReviewPolicy.ModelAttempts"/>).
/// </summary>
/// <remarks>
/// Tolerated, as before: a code fence around the object, unknown properties, <c>comments</c> missing or null, a comment's
/// <c>file</c> or <c>line</c> missing or null.
/// </remarks>
internal static partial class VerdictReader
{
    private const string NotAnObject = "the reply is not a JSON object";
    private const string DecisionMissing = "\"decision\" is missing or not a string";
    private const string SummaryMissing = "\"summary\" is missing or not a string";
    private const string CommentsNotArray = "\"comments\" is not an array";
    private const string CommentNotAnObject = "not an object";
    private const string FileNotString = "\"file\" is not a string";
    private const string LineInvalid = "\"line\" is not a positive integer or null";
    private const string SeverityMissing = "\"severity\" is missing or not a string";
    private const string BodyMissing = "\"body\" is missing or empty";

    /// <summary>Parses and checks the model's reply; a code fence around the object is tolerated.</summary>
    public static bool TryRead(string? text, out ModelReview review, out string error)
    {
        review = null!;
        var json = StripFence(text ?? string.Empty);
        if (json.Length == 0)
        {
            error = "the reply was empty";
            return false;
        }

        VerdictJson? verdict;
        try
        {
            verdict = JsonSerializer.Deserialize(json, VerdictJsonContext.Default.VerdictJson);
        }
        catch (JsonException ex)
        {
            // Not JSON at all: the parser's message. JSON of the wrong shape: which property, in the words used below.
            error = SyntaxError(json) ?? ShapeError(ex.Path) ?? ex.Message;
            return false;
        }

        error = Check(verdict, out var checkedReview) ?? string.Empty;
        if (checkedReview is null)
        {
            return false;
        }

        review = checkedReview;
        return true;
    }

    /// <summary>The checks the types cannot express; null and the review when it passes them all.</summary>
    private static string? Check(VerdictJson? verdict, out ModelReview? review)
    {
        review = null;
        if (verdict is null)
        {
            return NotAnObject;
        }

        if (verdict.Decision is null)
        {
            return DecisionMissing;
        }

        if (!WireName<ReviewDecision>.TryParse(verdict.Decision, out var decision))
        {
            return $"\"decision\" must be \"APPROVE\" or \"REQUEST_CHANGES\", not \"{verdict.Decision}\"";
        }

        if (verdict.Summary is null)
        {
            return SummaryMissing;
        }

        var comments = new List<ReviewComment>();
        for (var index = 0; index < (verdict.Comments?.Length ?? 0); index++)
        {
            if (CheckComment(verdict.Comments![index], out var comment) is { } reason)
            {
                return $"comments[{index}]: {reason}";
            }

            comments.Add(comment!);
        }

        review = new ModelReview(decision, verdict.Summary.Trim(), comments);
        return null;
    }

    private static string? CheckComment(CommentJson? item, out ReviewComment? comment)
    {
        comment = null;
        if (item is null)
        {
            return CommentNotAnObject;
        }

        if (item.Line is < 1)
        {
            return LineInvalid;
        }

        if (item.Severity is null)
        {
            return SeverityMissing;
        }

        if (!WireName<ReviewCommentSeverity>.TryParse(item.Severity, out var severity))
        {
            return $"\"severity\" must be \"INFO\", \"SUGGESTION\" or \"BLOCKING\", not \"{item.Severity}\"";
        }

        if (string.IsNullOrWhiteSpace(item.Body))
        {
            return BodyMissing;
        }

        comment = new ReviewComment(item.File ?? string.Empty, severity, item.Body, item.Line);
        return null;
    }

    /// <summary>The parser's message when <paramref name="json"/> is not well-formed JSON (the same reader settings as the deserializer); else null.</summary>
    private static string? SyntaxError(string json)
    {
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(json));
        try
        {
            while (reader.Read())
            {
            }

            return null;
        }
        catch (JsonException ex)
        {
            return ex.Message;
        }
    }

    /// <summary>What a value of the wrong JSON type at <paramref name="path"/> (as the deserializer reports it) means; null when the path is not one of the verdict's.</summary>
    private static string? ShapeError(string? path)
    {
        switch (path)
        {
            case "$":
                return NotAnObject;
            case "$.decision":
                return DecisionMissing;
            case "$.summary":
                return SummaryMissing;
            case "$.comments":
                return CommentsNotArray;
        }

        var match = path is null ? Match.Empty : CommentPath().Match(path);
        if (!match.Success)
        {
            return null;
        }

        string? reason = match.Groups["property"].Success
            ? match.Groups["property"].Value switch
            {
                "file" => FileNotString,
                "line" => LineInvalid,
                "severity" => SeverityMissing,
                "body" => BodyMissing,
                _ => null,
            }
            : CommentNotAnObject;
        return reason is null ? null : $"comments[{match.Groups["index"].Value}]: {reason}";
    }

    [GeneratedRegex(@"^\$\.comments\[(?<index>[0-9]+)\](\.(?<property>[a-z]+))?$", RegexOptions.CultureInvariant)]
    private static partial Regex CommentPath();

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
}
