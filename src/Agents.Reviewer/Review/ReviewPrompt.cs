using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;
using MultiAgent.Contracts;

namespace Agents.Reviewer.Review;

/// <summary>What the model is told: the system prompt, the verdict's JSON schema, the user prompt for one part of the diff, and the repair request.</summary>
internal static class ReviewPrompt
{
    public const string System =
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

    /// <summary>The response format of every review call: the verdict's JSON schema.</summary>
    public static ChatOptions Options() => new()
    {
        ResponseFormat = ChatResponseFormat.ForJsonSchema(Schema, "review", "A code review verdict with comments."),
    };

    /// <summary>The user prompt for part <paramref name="part"/> of <paramref name="parts"/> of the diff.</summary>
    public static string User(ReviewRequest request, string chunk, int part, int parts)
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

    /// <summary>The message that sends a bad reply back, saying what was wrong with it.</summary>
    public static string Repair(string error) =>
        $"Your reply was not valid: {error}. Reply again with ONLY the JSON object of the required shape, nothing else.";
}
