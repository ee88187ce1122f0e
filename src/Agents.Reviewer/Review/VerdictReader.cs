using System.Text.Json;
using MultiAgent.Contracts;

namespace Agents.Reviewer.Review;

/// <summary>Reads the model's reply as a verdict, checking it against the schema it was asked for; the error says what is wrong.</summary>
internal static class VerdictReader
{
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
}
