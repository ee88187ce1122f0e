using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using MultiAgent.AgentRuntime.Tasks;
using MultiAgent.Contracts;
using MultiAgent.Llm;
using MultiAgent.Secrets;
using MultiAgent.IntegrationTests.Fakes.OpenAI;
using MultiAgent.IntegrationTests.Infrastructure;
using MultiAgent.IntegrationTests.Persistence;

namespace MultiAgent.IntegrationTests.Llm;

/// <summary>
/// Sessions end to end: the fake provider on 127.0.0.1, the real OpenAI client, and the transcript in the test
/// topology's real PostgreSQL (read back raw from <c>task_transcripts</c>).
/// </summary>
[Collection(InfrastructureCollection.Name)]
public sealed class LlmSessionTests(InfrastructureFixture infrastructure) : StoreTestBase(infrastructure), IAsyncLifetime
{
    private const string GitHubToken = "ghp_R3alLookingT0kenABCDEFGHIJKLMNOPQRSTU";

    private FakeOpenAIServer _fake = null!;

    async Task IAsyncLifetime.InitializeAsync()
    {
        await InitializeAsync();
        _fake = await FakeOpenAIServer.StartAsync();
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await _fake.DisposeAsync();
        await DisposeAsync();
    }

    private (LlmSessionFactory Sessions, ChatClientFactory Clients) Sessions(IConfiguration configuration, SecretRedactor? redactor = null)
    {
        redactor ??= new SecretRedactor();
        var clients = LlmTestKit.Factory(configuration, redactor);
        return (new LlmSessionFactory(clients, new TranscriptStore(DataSource), redactor), clients);
    }

    [Fact]
    public async Task Token_usage_accumulates_across_calls_and_the_cost_follows_the_price_table()
    {
        _fake.Enqueue(Reply.Text("one").WithUsage(1_000, 200), Reply.Text("two").WithUsage(3_000, 800));
        var (sessions, clients) = Sessions(LlmTestKit.Configuration(_fake,
            ("Prices:InputPerMillionTokens", "2.50"),
            ("Prices:OutputPerMillionTokens", "10")));
        using var _ = clients;
        await using var session = sessions.Start(AgentType.Coder, NewId("task"), NewId("job"));

        await session.Client.GetResponseAsync("first");
        await session.Client.GetResponseAsync("second");

        Assert.Equal(new TokenUsage(4_000, 1_000), session.Usage.Total);
        Assert.Equal(2, session.Usage.Calls);
        // 4,000 × 2.50 / 1M + 1,000 × 10 / 1M = 0.01 + 0.01
        Assert.Equal(0.02m, session.Usage.EstimatedCost);
    }

    [Fact]
    public async Task Without_prices_there_is_no_cost_estimate_and_streamed_usage_counts_too()
    {
        _fake.Enqueue(Reply.Text("streamed").WithUsage(30, 7));
        var (sessions, clients) = Sessions(LlmTestKit.Configuration(_fake));
        using var _ = clients;
        await using var session = sessions.Start(AgentType.Reviewer, NewId("task"), NewId("job"));

        var response = await session.Client.GetStreamingResponseAsync("hi").ToChatResponseAsync();

        Assert.Equal("streamed", response.Text);
        Assert.True(Assert.Single(_fake.Requests).IncludeUsage, "the client did not ask for the usage of the stream");
        Assert.Equal(new TokenUsage(30, 7), session.Usage.Total);
        Assert.Null(session.Usage.EstimatedCost);
        var entry = Assert.Single(await new TranscriptStore(DataSource).ReadAsync(session.TaskId));
        Assert.True(entry.Content.GetProperty("streaming").GetBoolean());
        Assert.Equal("streamed", entry.Content.GetProperty("response").GetProperty("messages")[0].GetProperty("contents")[0].GetProperty("text").GetString());
    }

    [Fact]
    public async Task The_transcript_holds_requests_responses_and_tool_results_in_order_without_secrets()
    {
        var taskId = NewId("task");
        var jobId = NewId("job");
        _fake.Enqueue(
            Reply.ToolCall("read_file", new { path = "README.md" }, id: "call_1").WithUsage(50, 10),
            Reply.Text("The README says hello.").WithUsage(80, 12));
        var (sessions, clients) = Sessions(LlmTestKit.Configuration(_fake, ("Temperature", "0.3")));
        using var _ = clients;
        var tools = new ChatOptions { Tools = [AIFunctionFactory.Create((string path) => "", "read_file", "Reads a file")] };

        await using (var session = sessions.Start(AgentType.Coder, taskId, jobId))
        {
            List<ChatMessage> conversation =
            [
                new(ChatRole.System, "You are the coder."),
                new(ChatRole.User, $"Summarise README.md. My token is {GitHubToken}, key {LlmTestKit.ApiKey}."),
            ];
            var first = await session.Client.GetResponseAsync(conversation, tools);
            conversation.AddRange(first.Messages);
            var call = Assert.Single(first.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>());
            var fileText = $"# Hello\nclone with https://x-access-token:{GitHubToken}@github.com/o/r.git\n";
            session.RecordToolResult(call.Name, call.Arguments, fileText, succeeded: true, call.CallId);
            conversation.Add(new ChatMessage(ChatRole.Tool, [new FunctionResultContent(call.CallId, fileText)]));
            var second = await session.Client.GetResponseAsync(conversation, tools);
            Assert.Equal("The README says hello.", second.Text);
        }

        // What the database really holds, as text.
        var raw = await ScalarAsync<string>(
            "SELECT string_agg(content::text, E'\\n' ORDER BY seq) FROM task_transcripts WHERE task_id = @id", taskId);
        Assert.DoesNotContain(GitHubToken, raw, StringComparison.Ordinal);
        Assert.DoesNotContain(LlmTestKit.ApiKey, raw, StringComparison.Ordinal);
        Assert.DoesNotContain("R3alLookingT0ken", raw, StringComparison.Ordinal);
        Assert.Contains("My token is ***, key ***.", raw, StringComparison.Ordinal);
        // The fake did receive the secrets: they were redacted on the way to the store, not before the model.
        Assert.Contains(GitHubToken, _fake.Requests[0].Body, StringComparison.Ordinal);

        var entries = await new TranscriptStore(DataSource).ReadAsync(taskId);
        Assert.Equal([1, 2, 3], entries.Select(e => e.Seq));
        Assert.Equal([TranscriptKinds.ModelCall, TranscriptKinds.ToolResult, TranscriptKinds.ModelCall], entries.Select(e => e.Kind));
        Assert.All(entries, e => Assert.Equal(jobId, e.JobId));

        var firstCall = entries[0].Content;
        Assert.Equal(LlmTestKit.Model, firstCall.GetProperty("model").GetString());
        Assert.Equal(0.3, firstCall.GetProperty("temperature").GetDouble(), 3);
        Assert.Equal(["read_file"], firstCall.GetProperty("tools").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal(0, firstCall.GetProperty("contextMessages").GetInt32());
        Assert.Equal(["system", "user"], firstCall.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("role").GetString()));
        var toolCall = firstCall.GetProperty("response").GetProperty("messages")[0].GetProperty("contents")[0];
        Assert.Equal("function_call", toolCall.GetProperty("type").GetString());
        Assert.Equal("read_file", toolCall.GetProperty("name").GetString());
        Assert.Equal("README.md", toolCall.GetProperty("arguments").GetProperty("path").GetString());
        Assert.Equal("tool_calls", firstCall.GetProperty("response").GetProperty("finishReason").GetString());
        Assert.Equal(50, firstCall.GetProperty("usage").GetProperty("inputTokens").GetInt32());
        Assert.True(firstCall.GetProperty("durationMs").GetDouble() >= 0);

        var toolResult = entries[1].Content;
        Assert.Equal(("read_file", "call_1", true), (toolResult.GetProperty("name").GetString(), toolResult.GetProperty("callId").GetString(), toolResult.GetProperty("succeeded").GetBoolean()));
        Assert.Equal("README.md", toolResult.GetProperty("arguments").GetProperty("path").GetString());
        Assert.Contains("https://***@github.com/o/r.git", toolResult.GetProperty("result").GetString(), StringComparison.Ordinal);

        // The second call stores only what is new: the previous request and answer are counted, not repeated.
        var secondCall = entries[2].Content;
        Assert.Equal(3, secondCall.GetProperty("contextMessages").GetInt32());
        var newMessage = Assert.Single(secondCall.GetProperty("messages").EnumerateArray());
        Assert.Equal("tool", newMessage.GetProperty("role").GetString());
        Assert.Equal("The README says hello.", secondCall.GetProperty("response").GetProperty("messages")[0].GetProperty("contents")[0].GetProperty("text").GetString());
        Assert.Equal(80, secondCall.GetProperty("usage").GetProperty("inputTokens").GetInt32());
    }

    [Fact]
    public async Task A_failed_call_is_in_the_transcript_with_its_error_and_a_later_attempt_continues_the_numbering()
    {
        var taskId = NewId("task");
        var jobId = NewId("job");
        _fake.Enqueue(Fault.Unauthorized(), Reply.Text("second attempt worked"));
        var (sessions, clients) = Sessions(LlmTestKit.Configuration(_fake));
        using var _ = clients;

        await using (var attempt1 = sessions.Start(AgentType.Coder, taskId, jobId))
        {
            await Assert.ThrowsAsync<NonRetryableLlmException>(() => attempt1.Client.GetResponseAsync("hi"));
            attempt1.RecordToolResult("run_tests", [KeyValuePair.Create<string, object?>("filter", "Llm")], "not reached", succeeded: false);
            Assert.Equal(1, attempt1.PendingTranscriptEntries);
            await attempt1.FlushAsync();
            Assert.Equal(0, attempt1.PendingTranscriptEntries);
        }

        await using (var attempt2 = sessions.Start(AgentType.Coder, taskId, jobId))
        {
            Assert.Equal("second attempt worked", (await attempt2.Client.GetResponseAsync("hi")).Text);
        }

        var entries = await new TranscriptStore(DataSource).ReadAsync(taskId);
        Assert.Equal([1, 2, 3], entries.Select(e => e.Seq));
        var error = entries[0].Content.GetProperty("error");
        Assert.Equal(nameof(NonRetryableLlmException), error.GetProperty("type").GetString());
        Assert.Contains("rejected the credentials", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.False(entries[0].Content.TryGetProperty("response", out JsonElement _));
        Assert.False(entries[1].Content.GetProperty("succeeded").GetBoolean());
        Assert.Equal("Llm", entries[1].Content.GetProperty("arguments").GetProperty("filter").GetString());
        Assert.True(entries[2].Content.TryGetProperty("response", out JsonElement _));
    }

    [Fact]
    public async Task Appends_to_one_task_from_many_writers_get_distinct_consecutive_numbers()
    {
        var taskId = NewId("task");
        var store = new TranscriptStore(DataSource);

        var writers = Enumerable.Range(0, 8).Select(i => Task.Run(() => store.AppendAsync(taskId, "job-x",
            [
                new TranscriptItem(TranscriptKinds.ToolResult, $$"""{"writer":{{i}},"n":1}""", DateTimeOffset.UtcNow),
                new TranscriptItem(TranscriptKinds.ToolResult, $$"""{"writer":{{i}},"n":2}""", DateTimeOffset.UtcNow),
            ])));
        await Task.WhenAll(writers);

        var entries = await store.ReadAsync(taskId);
        Assert.Equal(Enumerable.Range(1, 16), entries.Select(e => e.Seq));
        // Each writer's pair is contiguous and in order.
        for (var i = 0; i < 16; i += 2)
        {
            Assert.Equal(entries[i].Content.GetProperty("writer").GetInt32(), entries[i + 1].Content.GetProperty("writer").GetInt32());
            Assert.Equal((1, 2), (entries[i].Content.GetProperty("n").GetInt32(), entries[i + 1].Content.GetProperty("n").GetInt32()));
        }

        Assert.Empty(await store.ReadAsync(NewId("task")));
        Assert.Equal(0, await store.AppendAsync(taskId, "job-x", []));
    }

    [Fact]
    public async Task AddLlm_wires_sessions_with_the_configured_secrets_known_to_the_redactor()
    {
        _fake.Enqueue(Reply.Text("wired").WithUsage(3, 1));
        var configuration = new ConfigurationBuilder()
            .AddConfiguration(LlmTestKit.Configuration(_fake))
            .AddInMemoryCollection(new Dictionary<string, string?> { ["MultiAgent:GitHub:Token"] = "configured-github-token-123" })
            .Build();
        var services = new ServiceCollection()
            .AddLogging()
            .AddSingleton(DataSource)
            .AddLlm(configuration)
            .AddLlm(configuration);
        await using var provider = services.BuildServiceProvider();
        var taskId = NewId("task");

        Assert.Same(provider.GetRequiredService<LlmSessionFactory>(), provider.GetRequiredService<LlmSessionFactory>());
        await using (var session = provider.GetRequiredService<LlmSessionFactory>().Start(AgentType.Coder, taskId, NewId("job")))
        {
            Assert.Equal("wired", (await session.Client.GetResponseAsync("token configured-github-token-123")).Text);
            Assert.Equal(new TokenUsage(3, 1), session.Usage.Total);
        }

        var raw = await ScalarAsync<string>("SELECT content::text FROM task_transcripts WHERE task_id = @id", taskId);
        Assert.Contains("token ***", raw, StringComparison.Ordinal);
        Assert.DoesNotContain("configured-github-token-123", raw, StringComparison.Ordinal);
        Assert.Equal(
            "key *** and ***",
            provider.GetRequiredService<SecretRedactor>().Redact($"key {LlmTestKit.ApiKey} and configured-github-token-123"));
    }
}
