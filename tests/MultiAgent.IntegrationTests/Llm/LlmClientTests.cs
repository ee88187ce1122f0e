using System.Text.Json;
using Microsoft.Extensions.AI;
using MultiAgent.AgentRuntime.Tasks;
using MultiAgent.Contracts;
using MultiAgent.Llm;
using MultiAgent.Llm.Http;
using MultiAgent.IntegrationTests.Fakes.OpenAI;

namespace MultiAgent.IntegrationTests.Llm;

/// <summary>
/// The chat clients of <see cref="ChatClientFactory"/> through the real provider SDKs, against the fake provider
/// on 127.0.0.1: what is sent, what comes back, and how each failure is retried or reported.
/// </summary>
public sealed class LlmClientTests : IAsyncLifetime
{
    private FakeOpenAIServer _fake = null!;

    public async Task InitializeAsync() => _fake = await FakeOpenAIServer.StartAsync();

    public async Task DisposeAsync() => await _fake.DisposeAsync();

    [Fact]
    public async Task A_completion_returns_the_scripted_text_and_sends_model_temperature_max_tokens_and_the_key()
    {
        _fake.Enqueue(Reply.Text("Hello from the fake").WithUsage(12, 4));
        using var factory = LlmTestKit.Factory(LlmTestKit.Configuration(_fake, ("Temperature", "0.25"), ("MaxOutputTokens", "321")));
        using var client = factory.Create(AgentType.Coder);

        var response = await client.GetResponseAsync([new ChatMessage(ChatRole.System, "Be brief."), new ChatMessage(ChatRole.User, "Say hello")]);

        Assert.Equal("Hello from the fake", response.Text);
        Assert.Equal(12, response.Usage?.InputTokenCount);
        Assert.Equal(4, response.Usage?.OutputTokenCount);
        var request = Assert.Single(_fake.Requests);
        Assert.Equal("/v1/chat/completions", request.Path);
        Assert.Equal($"Bearer {LlmTestKit.ApiKey}", request.Header("Authorization"));
        Assert.Equal(LlmTestKit.Model, request.Model);
        Assert.Equal(0.25, request.Property("temperature")!.Value.GetDouble(), 3);
        Assert.Equal(321, request.Property("max_completion_tokens")!.Value.GetInt32());
        var messages = request.Property("messages")!.Value.EnumerateArray().ToList();
        Assert.Equal(["system", "user"], messages.Select(m => m.GetProperty("role").GetString()));
        Assert.Contains("Say hello", messages[1].GetProperty("content").GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Per_call_options_win_over_the_configured_defaults()
    {
        _fake.Enqueue(Reply.Text("ok"));
        using var factory = LlmTestKit.Factory(LlmTestKit.Configuration(_fake, ("Temperature", "0.25"), ("MaxOutputTokens", "321")));
        using var client = factory.Create(AgentType.Coder);

        await client.GetResponseAsync("hi", new ChatOptions { ModelId = "other-model", Temperature = 0.9f, MaxOutputTokens = 7 });

        var request = Assert.Single(_fake.Requests);
        Assert.Equal("other-model", request.Model);
        Assert.Equal(0.9, request.Property("temperature")!.Value.GetDouble(), 3);
        Assert.Equal(7, request.Property("max_completion_tokens")!.Value.GetInt32());
    }

    [Fact]
    public async Task Tool_calls_come_back_as_function_calls_with_parsed_arguments()
    {
        _fake.Enqueue(Reply.ToolCalls(
            Reply.Call("read_file", new { path = "README.md" }, id: "call_a"),
            Reply.Call("search", new { query = "TODO", limit = 5, regex = false }, id: "call_b")));
        using var factory = LlmTestKit.Factory(LlmTestKit.Configuration(_fake));
        using var client = factory.Create(AgentType.Coder);
        var tools = new ChatOptions
        {
            Tools =
            [
                AIFunctionFactory.Create((string path) => "", "read_file", "Reads a file"),
                AIFunctionFactory.Create((string query, int limit, bool regex) => "", "search", "Searches"),
            ],
        };

        var response = await client.GetResponseAsync("Read the readme", tools);

        Assert.Equal(ChatFinishReason.ToolCalls, response.FinishReason);
        var calls = response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().ToList();
        Assert.Equal(["call_a", "call_b"], calls.Select(c => c.CallId));
        Assert.Equal(["read_file", "search"], calls.Select(c => c.Name));
        Assert.Equal("README.md", calls[0].Arguments!["path"]?.ToString());
        Assert.Equal("TODO", calls[1].Arguments!["query"]?.ToString());
        Assert.Equal(5, ((JsonElement)calls[1].Arguments!["limit"]!).GetInt32());
        Assert.False(((JsonElement)calls[1].Arguments!["regex"]!).GetBoolean());
        var offered = Assert.Single(_fake.Requests).Property("tools")!.Value.EnumerateArray()
            .Select(t => t.GetProperty("function").GetProperty("name").GetString());
        Assert.Equal(["read_file", "search"], offered);
    }

    [Fact]
    public async Task A_rate_limit_is_waited_out_for_as_long_as_Retry_After_says_then_succeeds()
    {
        _fake.Enqueue(Fault.TooManyRequests(retryAfter: 1), Reply.Text("after the wait"));
        using var factory = LlmTestKit.Factory(LlmTestKit.Configuration(_fake));
        using var client = factory.Create(AgentType.Coder);

        var response = await client.GetResponseAsync("hi");

        Assert.Equal("after the wait", response.Text);
        var requests = _fake.Requests;
        Assert.Equal(2, requests.Count);
        Assert.True(requests[1].Arrived - requests[0].Arrived >= TimeSpan.FromSeconds(1),
            $"the retry came {(requests[1].Arrived - requests[0].Arrived).TotalMilliseconds} ms after the 429");
        // The same request was sent again.
        Assert.Equal(requests[0].Body, requests[1].Body);
    }

    [Fact]
    public async Task Retry_After_as_an_HTTP_date_is_honoured_too()
    {
        // An HTTP date has whole seconds; this one is exact, 2 to 3 s ahead.
        var now = DateTimeOffset.UtcNow;
        var until = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, now.Minute, now.Second, TimeSpan.Zero).AddSeconds(3);
        _fake.Enqueue(Fault.TooManyRequestsUntil(until), Reply.Text("ok"));
        using var factory = LlmTestKit.Factory(LlmTestKit.Configuration(_fake));
        using var client = factory.Create(AgentType.Coder);

        Assert.Equal("ok", (await client.GetResponseAsync("hi")).Text);

        var requests = _fake.Requests;
        Assert.Equal(2, requests.Count);
        // Not before the date (allowing for the timer's granularity).
        Assert.True(requests[1].ReceivedAt >= until.AddMilliseconds(-20),
            $"the retry came at {requests[1].ReceivedAt:HH:mm:ss.fff}, before {until:HH:mm:ss.fff}");
    }

    [Fact]
    public async Task Two_503s_then_success_succeeds_on_the_third_request()
    {
        _fake.Enqueue(Fault.ServiceUnavailable(), Fault.ServiceUnavailable(), Reply.Text("third time lucky"));
        using var factory = LlmTestKit.Factory(LlmTestKit.Configuration(_fake));
        using var client = factory.Create(AgentType.Coder);

        var response = await client.GetResponseAsync("hi");

        Assert.Equal("third time lucky", response.Text);
        Assert.Equal(3, _fake.Requests.Count);
    }

    [Fact]
    public async Task Errors_500_502_and_504_are_retried()
    {
        _fake.Enqueue(Fault.InternalServerError(), Fault.BadGateway(), Fault.GatewayTimeout(), Reply.Text("ok"));
        using var factory = LlmTestKit.Factory(LlmTestKit.Configuration(_fake, ("MaxRetries", "3")));
        using var client = factory.Create(AgentType.Coder);

        Assert.Equal("ok", (await client.GetResponseAsync("hi")).Text);
        Assert.Equal(4, _fake.Requests.Count);
    }

    [Fact]
    public async Task Unauthorized_fails_at_once_as_non_retryable_with_the_reason()
    {
        _fake.Enqueue(Fault.Unauthorized(), Reply.Text("never sent"));
        using var factory = LlmTestKit.Factory(LlmTestKit.Configuration(_fake));
        using var client = factory.Create(AgentType.Coder);

        var error = await Assert.ThrowsAsync<NonRetryableLlmException>(() => client.GetResponseAsync("hi"));

        Assert.Contains("rejected the credentials", error.Message, StringComparison.Ordinal);
        Assert.Contains("401", error.Message, StringComparison.Ordinal);
        Assert.Contains("Incorrect API key provided", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(LlmTestKit.ApiKey, error.Message, StringComparison.Ordinal);
        Assert.Equal(FailureKind.NonRetryable, FailureClassifier.Classify(error));
        Assert.Single(_fake.Requests);
    }

    [Fact]
    public async Task Forbidden_is_a_credentials_failure_too()
    {
        _fake.Enqueue(Fault.Forbidden());
        using var factory = LlmTestKit.Factory(LlmTestKit.Configuration(_fake));
        using var client = factory.Create(AgentType.Coder);

        var error = await Assert.ThrowsAsync<NonRetryableLlmException>(() => client.GetResponseAsync("hi"));

        Assert.Contains("rejected the credentials (HTTP 403)", error.Message, StringComparison.Ordinal);
        Assert.Single(_fake.Requests);
    }

    [Fact]
    public async Task A_request_beyond_the_context_window_is_not_retried_and_says_so()
    {
        _fake.Enqueue(Fault.ContextLengthExceeded(), Reply.Text("never sent"));
        using var factory = LlmTestKit.Factory(LlmTestKit.Configuration(_fake));
        using var client = factory.Create(AgentType.Coder);

        var error = await Assert.ThrowsAsync<NonRetryableLlmException>(() => client.GetResponseAsync("a very long prompt"));

        Assert.Contains("exceeds the model's context", error.Message, StringComparison.Ordinal);
        Assert.Contains(LlmTestKit.Model, error.Message, StringComparison.Ordinal);
        Assert.Contains("maximum context length is 128000 tokens", error.Message, StringComparison.Ordinal);
        Assert.Equal(LlmHttpFailure.ContextLengthExceeded, Assert.IsType<LlmHttpException>(error.InnerException).Failure);
        Assert.Single(_fake.Requests);
    }

    [Fact]
    public async Task Another_bad_request_is_not_retried_and_carries_the_providers_message()
    {
        _fake.Enqueue(Fault.BadRequest("Invalid value for 'temperature'."), Reply.Text("never sent"));
        using var factory = LlmTestKit.Factory(LlmTestKit.Configuration(_fake));
        using var client = factory.Create(AgentType.Coder);

        var error = await Assert.ThrowsAsync<NonRetryableLlmException>(() => client.GetResponseAsync("hi"));

        Assert.Contains("refused the request (HTTP 400): Invalid value for 'temperature'.", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("context", error.Message, StringComparison.Ordinal);
        Assert.Single(_fake.Requests);
    }

    [Fact]
    public async Task A_model_that_does_not_exist_is_not_retried()
    {
        _fake.Enqueue(Fault.ModelNotFound(LlmTestKit.Model), Reply.Text("never sent"));
        using var factory = LlmTestKit.Factory(LlmTestKit.Configuration(_fake));
        using var client = factory.Create(AgentType.Coder);

        var error = await Assert.ThrowsAsync<NonRetryableLlmException>(() => client.GetResponseAsync("hi"));

        Assert.Contains($"does not know model '{LlmTestKit.Model}'", error.Message, StringComparison.Ordinal);
        Assert.Contains("404", error.Message, StringComparison.Ordinal);
        Assert.Single(_fake.Requests);
    }

    [Fact]
    public async Task A_call_that_outlasts_the_timeout_is_retried_then_retryable()
    {
        _fake.Enqueue(Fault.Hang(), Fault.Hang());
        using var factory = LlmTestKit.Factory(LlmTestKit.Configuration(_fake, ("RequestTimeout", "00:00:00.300"), ("MaxRetries", "1")));
        using var client = factory.Create(AgentType.Coder);

        var error = await Assert.ThrowsAsync<RetryableLlmException>(() => client.GetResponseAsync("hi"));

        Assert.Contains("did not answer in time", error.Message, StringComparison.Ordinal);
        Assert.Contains("0.3s", error.Message, StringComparison.Ordinal);
        Assert.Equal(LlmHttpFailure.Timeout, Assert.IsType<LlmHttpException>(error.InnerException).Failure);
        Assert.Equal(2, _fake.Requests.Count);
    }

    [Fact]
    public async Task A_timed_out_attempt_is_followed_by_a_successful_one()
    {
        _fake.Enqueue(Fault.Hang(), Reply.Text("on time"));
        using var factory = LlmTestKit.Factory(LlmTestKit.Configuration(_fake, ("RequestTimeout", "00:00:00.300")));
        using var client = factory.Create(AgentType.Coder);

        Assert.Equal("on time", (await client.GetResponseAsync("hi")).Text);
        Assert.Equal(2, _fake.Requests.Count);
    }

    [Fact]
    public async Task Exhausted_retries_on_5xx_are_retryable_with_the_providers_Retry_After()
    {
        _fake.Enqueue(Fault.ServiceUnavailable(), Fault.ServiceUnavailable(), Fault.ServiceUnavailable(retryAfter: 0), Reply.Text("never sent"));
        using var factory = LlmTestKit.Factory(LlmTestKit.Configuration(_fake, ("MaxRetries", "2")));
        using var client = factory.Create(AgentType.Coder);

        var error = await Assert.ThrowsAsync<RetryableLlmException>(() => client.GetResponseAsync("hi"));

        Assert.Contains("failed (HTTP 503) after 3 attempts", error.Message, StringComparison.Ordinal);
        Assert.Equal(TimeSpan.Zero, error.RetryAfter);
        Assert.Equal(FailureKind.Retryable, FailureClassifier.Classify(error));
        Assert.Equal(3, _fake.Requests.Count);
        Assert.Equal(1, _fake.Remaining);
    }

    [Fact]
    public async Task Exhausted_retries_on_429_are_retryable()
    {
        _fake.Enqueue(Fault.TooManyRequests(retryAfter: 0), Fault.TooManyRequests(retryAfter: 0));
        using var factory = LlmTestKit.Factory(LlmTestKit.Configuration(_fake, ("MaxRetries", "1")));
        using var client = factory.Create(AgentType.Coder);

        var error = await Assert.ThrowsAsync<RetryableLlmException>(() => client.GetResponseAsync("hi"));

        Assert.Contains("rate-limiting requests (HTTP 429); gave up after 2 attempts", error.Message, StringComparison.Ordinal);
        Assert.Equal(2, _fake.Requests.Count);
    }

    [Fact]
    public async Task A_Retry_After_beyond_the_cap_gives_the_task_back_at_once_with_the_wait()
    {
        _fake.Enqueue(Fault.TooManyRequests(retryAfter: 120), Reply.Text("never sent"));
        using var factory = LlmTestKit.Factory(LlmTestKit.Configuration(_fake, ("MaxRetryAfter", "00:00:30")));
        using var client = factory.Create(AgentType.Coder);

        var error = await Assert.ThrowsAsync<RetryableLlmException>(() => client.GetResponseAsync("hi"));

        Assert.Equal(TimeSpan.FromSeconds(120), error.RetryAfter);
        Assert.Single(_fake.Requests);
    }

    [Fact]
    public async Task A_malformed_response_is_retryable()
    {
        _fake.Enqueue(Fault.MalformedJson());
        using var factory = LlmTestKit.Factory(LlmTestKit.Configuration(_fake));
        using var client = factory.Create(AgentType.Coder);

        var error = await Assert.ThrowsAsync<RetryableLlmException>(() => client.GetResponseAsync("hi"));

        Assert.Contains("could not be read", error.Message, StringComparison.Ordinal);
        Assert.Single(_fake.Requests);
    }

    [Fact]
    public async Task An_unreachable_provider_is_retryable()
    {
        var endpoint = _fake.Endpoint;
        await _fake.DisposeAsync();
        _fake = await FakeOpenAIServer.StartAsync();
        using var factory = LlmTestKit.Factory(LlmTestKit.Configuration(_fake, ("Endpoint", endpoint), ("MaxRetries", "1")));
        using var client = factory.Create(AgentType.Coder);

        var error = await Assert.ThrowsAsync<RetryableLlmException>(() => client.GetResponseAsync("hi"));

        Assert.Contains("could not be reached", error.Message, StringComparison.Ordinal);
        Assert.Equal(LlmHttpFailure.Connection, Assert.IsType<LlmHttpException>(error.InnerException).Failure);
    }

    [Fact]
    public async Task A_streamed_completion_assembles_text_and_tool_calls()
    {
        _fake.Enqueue(Reply.Text("streamed answer").WithUsage(8, 2), Reply.ToolCall("read_file", new { path = "a.txt" }, id: "call_s"));
        using var factory = LlmTestKit.Factory(LlmTestKit.Configuration(_fake));
        using var client = factory.Create(AgentType.Coder);

        var text = await client.GetStreamingResponseAsync("hi").ToChatResponseAsync();
        var call = await client.GetStreamingResponseAsync("read a.txt").ToChatResponseAsync();

        Assert.Equal("streamed answer", text.Text);
        var function = Assert.Single(call.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>());
        Assert.Equal(("call_s", "read_file", "a.txt"), (function.CallId, function.Name, function.Arguments!["path"]?.ToString()));
        Assert.All(_fake.Requests, r => Assert.True(r.Stream));
    }

    [Fact]
    public async Task A_keyless_self_hosted_endpoint_gets_no_Authorization_header()
    {
        _fake.Enqueue(Reply.Text("from a local model"));
        using var factory = LlmTestKit.Factory(LlmTestKit.Configuration(_fake, ("ApiKey", null), ("Model", "llama3.2")));
        using var client = factory.Create(AgentType.Coder);

        Assert.Equal("from a local model", (await client.GetResponseAsync("hi")).Text);

        var request = Assert.Single(_fake.Requests);
        Assert.Null(request.Header("Authorization"));
        Assert.Equal("llama3.2", request.Model);
    }

    [Fact]
    public async Task Per_agent_options_override_the_defaults()
    {
        _fake.Enqueue(Reply.Text("coder"), Fault.ServiceUnavailable(), Reply.Text("never sent"));
        var configuration = LlmTestKit.Configuration(_fake,
            ("Temperature", "0.2"),
            ("MaxOutputTokens", "1000"),
            ("Agents:reviewer:Model", "reviewer-model"),
            ("Agents:reviewer:MaxOutputTokens", "50"),
            ("Agents:reviewer:MaxRetries", "0"));
        using var factory = LlmTestKit.Factory(configuration);
        using var coder = factory.Create(AgentType.Coder);
        using var reviewer = factory.Create(AgentType.Reviewer);

        Assert.Equal("coder", (await coder.GetResponseAsync("hi")).Text);
        await Assert.ThrowsAsync<RetryableLlmException>(() => reviewer.GetResponseAsync("hi"));

        var requests = _fake.Requests;
        Assert.Equal(2, requests.Count); // the reviewer did not retry its 503 (MaxRetries 0)
        Assert.Equal(LlmTestKit.Model, requests[0].Model);
        Assert.Equal(1000, requests[0].Property("max_completion_tokens")!.Value.GetInt32());
        Assert.Equal("reviewer-model", requests[1].Model);
        Assert.Equal(50, requests[1].Property("max_completion_tokens")!.Value.GetInt32());
        // Not overridden: the default temperature and key.
        Assert.Equal(0.2, requests[1].Property("temperature")!.Value.GetDouble(), 3);
        Assert.Equal($"Bearer {LlmTestKit.ApiKey}", requests[1].Header("Authorization"));
        Assert.Equal(2, factory.OptionsFor(AgentType.Coder).MaxRetries);
        Assert.Equal(0, factory.OptionsFor(AgentType.Reviewer).MaxRetries);
    }

    [Fact]
    public async Task The_Anthropic_provider_talks_to_the_messages_api_through_the_same_pipeline()
    {
        _fake.Enqueue(Fault.TooManyRequests(retryAfter: 0), Reply.Text("Hello from Claude").WithUsage(20, 6), Fault.Unauthorized());
        using var factory = LlmTestKit.Factory(LlmTestKit.Configuration(_fake,
            ("Provider", "Anthropic"),
            ("Endpoint", _fake.Root.AbsoluteUri),
            ("ApiKey", "sk-ant-test-0123456789abcdefghij"),
            ("Model", "claude-test"),
            ("MaxOutputTokens", "222")));
        using var client = factory.Create(AgentType.Coder);

        var response = await client.GetResponseAsync([new ChatMessage(ChatRole.System, "Be brief."), new ChatMessage(ChatRole.User, "Say hello")]);
        var error = await Assert.ThrowsAsync<NonRetryableLlmException>(() => client.GetResponseAsync("again"));

        Assert.Equal("Hello from Claude", response.Text);
        Assert.Equal(20, response.Usage?.InputTokenCount);
        Assert.Equal(6, response.Usage?.OutputTokenCount);
        Assert.Contains("rejected the credentials", error.Message, StringComparison.Ordinal);
        var requests = _fake.Requests;
        Assert.Equal(3, requests.Count);
        Assert.All(requests, r => Assert.Equal("/v1/messages", r.Path));
        // This SDK version sends the API key as a bearer token (see ClientOptions.ApiKey).
        Assert.Equal("Bearer sk-ant-test-0123456789abcdefghij", requests[1].Header("Authorization"));
        Assert.NotNull(requests[1].Header("anthropic-version"));
        Assert.Equal("claude-test", requests[1].Model);
        Assert.Equal(222, requests[1].Property("max_tokens")!.Value.GetInt32());
        Assert.Contains("Be brief.", requests[1].Property("system")!.Value.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_model_is_a_configuration_error_naming_the_key()
    {
        using var factory = LlmTestKit.Factory(LlmTestKit.Configuration(_fake, ("Model", null)));

        var error = Assert.Throws<LlmConfigurationException>(() => factory.Create(AgentType.Reviewer));

        Assert.Contains("MultiAgent:Llm:Model is not set", error.Message, StringComparison.Ordinal);
        Assert.Contains("MultiAgent:Llm:Agents:reviewer", error.Message, StringComparison.Ordinal);
        Assert.Equal(FailureKind.NonRetryable, FailureClassifier.Classify(error));
        Assert.Empty(_fake.Requests);
    }
}
