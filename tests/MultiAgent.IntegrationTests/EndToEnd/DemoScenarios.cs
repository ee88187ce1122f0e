using System.Text.Json;
using Microsoft.Extensions.AI;
using MultiAgent.Contracts;
using MultiAgent.IntegrationTests.Fakes.OpenAI;
using MultiAgent.IntegrationTests.Infrastructure;
using MultiAgent.Llm;

namespace MultiAgent.IntegrationTests.EndToEnd;

/// <summary>
/// The demo's recorded session (demo/session.json) on the demo's repository (demo/repository), through the whole
/// system: what <c>./build.sh demo</c> shows a newcomer, with the session's answers served by the model fake instead of
/// the Replay provider (which the unit tests cover), so that it runs on the shared topology.
/// </summary>
[Collection(SystemCollection.Name)]
public sealed class DemoScenarios(SystemFixture system) : ScenarioTests(system)
{
    private static readonly string DemoFolder = SourceTree.PathOf("demo");

    [Fact]
    public async Task The_demo_session_opens_a_pull_request_goes_through_a_review_round_and_merges()
    {
        await using var scenario = await Scenario.StartAsync(Fixture);
        foreach (var file in Directory.EnumerateFiles(Path.Combine(DemoFolder, "repository"), "*", SearchOption.AllDirectories))
        {
            var path = Path.GetRelativePath(Path.Combine(DemoFolder, "repository"), file).Replace('\\', '/');
            await scenario.CommitToMainAsync(path, await File.ReadAllTextAsync(file));
        }

        var session = ReplaySession.Load(Path.Combine(DemoFolder, "session.json"));
        scenario.Coder.Enqueue([.. session.AnswersFor(AgentType.Coder).Select(Replay)]);
        scenario.Reviewer.Enqueue([.. session.AnswersFor(AgentType.Reviewer).Select(Replay)]);

        var status = await Client.RunJobAsync(scenario.Feature("Let greet.sh take a name"), JobStatus.Completed, scenario);

        var finalScript = (string)Arguments(session.AnswersFor(AgentType.Coder)[2])["content"]!;
        Assert.Equal(2, status.Job.Iteration);
        Assert.Equal(finalScript.TrimEnd(), await scenario.ShowAsync("main", "greet.sh")); // (shown trimmed)
        Assert.Equal(status.Job.MergeCommitSha, await scenario.BranchShaAsync("main"));
        var implementations = status.Tasks.Where(t => t.MessageType == MessageTypes.ImplementationRequest).ToList();
        Assert.Equal(2, implementations.Count);
        // The first version breaks the plain call, so its check fails; the reviewed second one passes.
        var coderDone = status.Timeline
            .Where(e => e.Type == JobEventTypes.TaskCompleted && e.Message.StartsWith("Coder finished implementation.request", StringComparison.Ordinal))
            .ToList();
        Assert.Contains("check Failed", coderDone[0].Message, StringComparison.Ordinal);
        Assert.Contains("check Passed", coderDone[1].Message, StringComparison.Ordinal);
        // Where each implementation's time went: the check ran and git worked inside the task, and they fit in it.
        Assert.All(coderDone, e =>
        {
            var work = e.Data!.Value.GetProperty("work");
            Assert.True(work.GetProperty("checkMs").GetDouble() > 0, e.Data.Value.ToString());
            Assert.True(work.GetProperty("gitMs").GetDouble() > 0, e.Data.Value.ToString());
            Assert.True(work.GetProperty("checkMs").GetDouble() + work.GetProperty("gitMs").GetDouble() <= work.GetProperty("totalMs").GetDouble());
        });
        Assert.Equal(2, (await Client.PullRequests.ListReviewsAsync(scenario.Repository, 1)).Count);
        Assert.Empty(scenario.Llm.Unscripted);
    }

    /// <summary>A recorded answer as the model fake serves it: its text, or its tool call, with its token counts.</summary>
    private static ChatReply Replay(ChatResponse answer)
    {
        var call = answer.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().SingleOrDefault();
        var reply = call is null ? Reply.Text(answer.Text) : Reply.ToolCall(call.Name, Arguments(answer));
        return reply.WithUsage((int)(answer.Usage?.InputTokenCount ?? 0), (int)(answer.Usage?.OutputTokenCount ?? 0));
    }

    private static Dictionary<string, object?> Arguments(ChatResponse answer) =>
        answer.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().Single().Arguments!
            .ToDictionary(a => a.Key, a => a.Value is JsonElement { ValueKind: JsonValueKind.String } text ? text.GetString() : a.Value);
}
