using System.Text.Json;
using MultiAgent.IntegrationTests.Fakes.OpenAI;

namespace MultiAgent.IntegrationTests.EndToEnd;

/// <summary>
/// Replies the agents understand: the Coder's tool calls (names and arguments as in <c>src/Agents.Coder/Tools</c>) and
/// the Reviewer's JSON verdict (<c>{"decision", "summary", "comments": [{"file", "line", "severity", "body"}]}</c>).
/// </summary>
public static class Scripts
{
    /// <summary>The Coder writes <paramref name="path"/> and finishes: two model calls.</summary>
    public static FakeReply[] WriteFileAndFinish(string path, string content, string summary = "Wrote the file as asked.") =>
    [
        Reply.ToolCall("write_file", new { path, content }).WithUsage(100, 20),
        Reply.ToolCall("finish", new { summary }).WithUsage(120, 10),
    ];

    /// <summary>The Coder writes the scenario's <see cref="Scenario.FileName"/> (content holding the marker) and finishes.</summary>
    public static FakeReply[] WriteMarkerFile(Scenario scenario, string content = "hello") =>
        WriteFileAndFinish(scenario.FileName, $"{content} from {scenario.Marker}\n", $"Added {scenario.FileName}.");

    public static ChatReply Approve(string summary = "Looks good.") => Verdict("APPROVE", summary);

    /// <summary>The planner's plan: features with ids, titles and dependencies (<c>{"features": [...]}</c>).</summary>
    public static ChatReply Plan(params (string Id, string Title, string[] DependsOn)[] features) =>
        Reply.Text(JsonSerializer.Serialize(new
        {
            features = features.Select(f => new
            {
                id = f.Id,
                title = f.Title,
                description = $"Build {f.Title}.",
                acceptanceCriteria = new[] { $"{f.Title} is done" },
                dependsOn = f.DependsOn,
            }),
        })).WithUsage(300, 80);

    /// <summary>REQUEST_CHANGES with one BLOCKING comment on <paramref name="file"/> line 1.</summary>
    public static ChatReply RequestChanges(string file, string comment, string summary = "Changes needed.") =>
        Verdict("REQUEST_CHANGES", summary, (file, 1, "BLOCKING", comment));

    /// <summary>Any verdict; severities are INFO, SUGGESTION or BLOCKING.</summary>
    public static ChatReply Verdict(string decision, string summary, params (string File, int? Line, string Severity, string Body)[] comments) =>
        Reply.Text(JsonSerializer.Serialize(new
        {
            decision,
            summary,
            comments = comments.Select(c => new { file = c.File, line = c.Line, severity = c.Severity, body = c.Body }),
        })).WithUsage(200, 40);
}
