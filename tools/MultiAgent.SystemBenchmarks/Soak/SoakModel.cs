using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.RegularExpressions;
using MultiAgent.IntegrationTests.EndToEnd;
using MultiAgent.IntegrationTests.Fakes.OpenAI;
using MultiAgent.IntegrationTests.Infrastructure;

namespace MultiAgent.SystemBenchmarks.Soak;

/// <summary>
/// The model of the soak: it answers from the request alone, so a task that a kill interrupted and that runs again
/// gets the same answers. The Coder writes the scenario's file (<c>&lt;marker&gt;.txt</c>) and, once it has a tool
/// result, finishes; the Reviewer approves. Counts the requests per agent.
/// </summary>
public sealed partial class SoakModel : IReplySource
{
    private readonly ConcurrentDictionary<string, int> _requests = new(StringComparer.Ordinal);

    /// <summary>Model requests so far, by agent ("coder", "reviewer", "other").</summary>
    public IReadOnlyDictionary<string, int> Requests => _requests;

    public Task<FakeReply> NextAsync(RecordedRequest request, CancellationToken cancellationToken)
    {
        var marker = Marker().Match(request.Body);
        FakeReply reply;
        switch (request.Model)
        {
            case SystemFixture.CoderModel when marker.Success:
                var script = Scripts.WriteFileAndFinish(marker.Value + ".txt", $"soak change for {marker.Value}\n");
                reply = HasToolResult(request) ? script[1] : script[0];
                Count("coder");
                break;
            case SystemFixture.ReviewerModel when marker.Success:
                reply = Scripts.Approve();
                Count("reviewer");
                break;
            default:
                Count("other");
                reply = Fault.Status(400, Fault.ErrorBody("soak: a request with no scenario marker", "invalid_request_error"));
                break;
        }

        return Task.FromResult(reply);
    }

    private void Count(string agent) => _requests.AddOrUpdate(agent, 1, (_, n) => n + 1);

    private static bool HasToolResult(RecordedRequest request) =>
        request.Property("messages") is { ValueKind: JsonValueKind.Array } messages
        && messages.EnumerateArray().Any(m => m.TryGetProperty("role", out var role) && role.GetString() == "tool");

    [GeneratedRegex("e2e-[0-9a-f]{8}")]
    private static partial Regex Marker();
}
