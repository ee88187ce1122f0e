using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using MultiAgent.Contracts;
using MultiAgent.Llm;
using MultiAgent.Secrets;

namespace MultiAgent.UnitTests.Llm;

/// <summary>
/// The Replay provider (<c>MultiAgent:Llm:Provider=Replay</c>): each agent gets its recorded answers in order, with no
/// endpoint or key; a missing or broken file, or a session played past its end, says what is wrong. And the demo's
/// session (demo/session.json, what ./build.sh demo plays) is one the agents can follow.
/// </summary>
public sealed class ReplayProviderTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("multiagent-replay-").FullName;

    [Fact]
    public async Task Each_agent_gets_its_recorded_answers_in_order_with_their_usage_and_then_a_clear_error()
    {
        var file = Write("""
            {"answers": {
              "coder": [
                {"messages": [{"role": "assistant", "contents": [{"type": "function_call", "callId": "c1", "name": "write_file",
                  "arguments": {"path": "a.txt", "content": "x\n"}}]}], "finishReason": "tool_calls", "usage": {"inputTokens": 10, "outputTokens": 2}},
                {"messages": [{"role": "assistant", "contents": [{"type": "text", "text": "done"}]}]}
              ],
              "reviewer": [{"messages": [{"role": "assistant", "contents": [{"type": "text", "text": "{\"decision\":\"APPROVE\"}"}]}]}]
            }}
            """);
        using var factory = Factory(("Provider", "Replay"), ("ReplayFile", file), ("Model", "replay"));
        using var coder = factory.Create(AgentType.Coder);
        using var reviewer = factory.Create(AgentType.Reviewer);

        var first = await coder.GetResponseAsync("anything");
        var review = await reviewer.GetResponseAsync("anything else");
        var second = await coder.GetResponseAsync("anything");
        var past = await Assert.ThrowsAnyAsync<Exception>(() => coder.GetResponseAsync("more"));

        var call = Assert.Single(first.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>());
        Assert.Equal(("c1", "write_file"), (call.CallId, call.Name));
        Assert.Equal("x\n", ((JsonElement)call.Arguments!["content"]!).GetString());
        Assert.Equal((10L, 2L), (first.Usage?.InputTokenCount, first.Usage?.OutputTokenCount));
        Assert.Equal("done", second.Text);
        Assert.Equal("{\"decision\":\"APPROVE\"}", review.Text);
        Assert.Contains("no more answers for the Coder: it recorded 2", past.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Replay_needs_a_file_and_no_key()
    {
        var missing = new LlmOptions { Provider = LlmProvider.Replay, Model = "replay" };
        var absent = new LlmOptions { Provider = LlmProvider.Replay, Model = "replay", ReplayFile = Path.Combine(_folder, "none.json") };
        var present = new LlmOptions { Provider = LlmProvider.Replay, Model = "replay", ReplayFile = Write("""{"answers": {}}""") };

        Assert.Contains(missing.Validate(), e => e.Contains("ReplayFile is not set", StringComparison.Ordinal));
        Assert.Contains(absent.Validate(), e => e.Contains("there is no file", StringComparison.Ordinal));
        Assert.Empty(present.Validate());
        Assert.False(present.RequiresApiKey);
    }

    [Theory]
    [InlineData("not json", "is not JSON")]
    [InlineData("""{"calls": []}""", "has no \"answers\" object")]
    [InlineData("""{"answers": {"planner": []}}""", "\"planner\" is not an agent")]
    [InlineData("""{"answers": {"coder": {}}}""", "the answers of coder are not a list")]
    public void A_file_that_is_not_a_recorded_session_is_refused_saying_why(string content, string reason)
    {
        var file = Write(content);

        var ex = Assert.Throws<LlmConfigurationException>(() => ReplaySession.Load(file));

        Assert.Contains($"The replay file '{file}' is not a recorded session", ex.Message, StringComparison.Ordinal);
        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_demo_session_has_the_Coder_write_greet_sh_twice_and_the_Reviewer_ask_for_changes_then_approve()
    {
        var session = ReplaySession.Load(Path.Combine(RepositoryRoot(), "demo", "session.json"));

        var coder = session.AnswersFor(AgentType.Coder).Select(a => a.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().Single()).ToList();
        var verdicts = session.AnswersFor(AgentType.Reviewer).Select(a => JsonDocument.Parse(a.Text).RootElement.GetProperty("decision").GetString()).ToList();

        Assert.Equal(["write_file", "finish", "write_file", "finish"], coder.Select(c => c.Name));
        Assert.All(coder.Where(c => c.Name == "write_file"), c => Assert.Equal("greet.sh", ((JsonElement)c.Arguments!["path"]!).GetString()));
        Assert.Equal(["REQUEST_CHANGES", "APPROVE"], verdicts);
        Assert.Empty(session.AnswersFor(AgentType.RepoManager));
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string Write(string content)
    {
        var path = Path.Combine(_folder, Guid.NewGuid().ToString("N") + ".json");
        File.WriteAllText(path, content);
        return path;
    }

    private static ChatClientFactory Factory(params (string Key, string Value)[] settings) =>
        new(new LlmConfiguration(new ConfigurationBuilder()
                .AddInMemoryCollection(settings.Select(s => KeyValuePair.Create($"{LlmOptions.SectionName}:{s.Key}", (string?)s.Value)))
                .Build()),
            new SecretRedactor());

    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "MultiAgent.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException("MultiAgent.sln not found above the test's folder");
    }
}
