using System.Net;
using System.Text;
using System.Text.Json;
using MultiAgent.Contracts;
using MultiAgent.IntegrationTests.Fakes.OpenAI;
using MultiAgent.IntegrationTests.Infrastructure;

namespace MultiAgent.IntegrationTests.EndToEnd;

/// <summary>The model server of the end-to-end kit on its own: routing by marker and model, unscripted requests, gates.</summary>
public sealed class ScenarioRouterTests : IAsyncLifetime
{
    private readonly ScenarioRouter _router = new(new Dictionary<string, AgentType> { ["m-coder"] = AgentType.Coder, ["m-reviewer"] = AgentType.Reviewer });
    private readonly HttpClient _http = new();
    private FakeOpenAIServer _server = null!;

    public async Task InitializeAsync() => _server = await FakeOpenAIServer.StartAsync(_router);

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Requests_go_to_the_scenario_whose_marker_they_contain_and_to_the_agent_of_their_model()
    {
        var one = _router.Add("e2e-00000001");
        var two = _router.Add("e2e-00000002");
        one.Coder.Enqueue(Reply.Text("coder of one"));
        one.Reviewer.Enqueue(Reply.Text("reviewer of one"));
        two.Coder.Enqueue(Reply.Text("coder of two"));

        var answers = new[]
        {
            await AskAsync("m-reviewer", "review the diff of e2e-00000001"),
            await AskAsync("m-coder", "implement e2e-00000002"),
            await AskAsync("m-coder", "implement e2e-00000001"),
        };

        Assert.Equal(["reviewer of one", "coder of two", "coder of one"], answers.Select(a => a.Text));
        Assert.Single(one.Coder.Requests);
        Assert.Single(one.Reviewer.Requests);
        Assert.Single(two.Coder.Requests);
        Assert.Empty(_router.Unrouted);
    }

    [Fact]
    public async Task Unscripted_and_unroutable_requests_are_refused_with_the_reason_and_recorded()
    {
        var scenario = _router.Add("e2e-0000000a");

        var unscripted = await AskAsync("m-coder", "implement e2e-0000000a");
        var noMarker = await AskAsync("m-coder", "implement something");
        var wrongModel = await AskAsync("gpt-4o", "implement e2e-0000000a");

        Assert.All(new[] { unscripted, noMarker, wrongModel }, a => Assert.Equal(HttpStatusCode.BadRequest, a.Status));
        Assert.Contains("nothing scripted for the Coder in scenario e2e-0000000a", unscripted.Error, StringComparison.Ordinal);
        Assert.Contains("no scenario's marker", noMarker.Error, StringComparison.Ordinal);
        Assert.Contains("'gpt-4o', which is no agent's", wrongModel.Error, StringComparison.Ordinal);
        Assert.Single(scenario.Unscripted);
        Assert.Equal(2, _router.Unrouted.Count);
        Assert.Contains("unscripted: ", scenario.Describe(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_gate_holds_the_request_until_released_and_outlasts_a_client_that_gives_up()
    {
        var scenario = _router.Add("e2e-0000000b");
        var gate = new FakeGate();
        scenario.Coder.Enqueue(Reply.Text("before"), gate, Reply.Text("after"));
        Assert.Equal("before", (await AskAsync("m-coder", "e2e-0000000b")).Text);

        using (var givingUp = new CancellationTokenSource())
        {
            var abandoned = AskAsync("m-coder", "e2e-0000000b", givingUp.Token);
            await gate.WhenReachedAsync(TimeSpan.FromSeconds(10));
            await givingUp.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => abandoned);
        }

        var waiting = AskAsync("m-coder", "e2e-0000000b");
        await Eventually.ReturnsAsync(
            _ => Task.FromResult(scenario.Coder.Requests.Count), n => n == 3, TimeSpan.FromSeconds(10), "the retry to reach the gate");
        Assert.False(waiting.IsCompleted);
        Assert.Equal(2, scenario.Coder.Remaining);
        gate.Release();

        Assert.Equal("after", (await waiting).Text);
        Assert.Equal(0, scenario.Coder.Remaining);
    }

    private async Task<(HttpStatusCode Status, string? Text, string? Error)> AskAsync(string model, string prompt, CancellationToken cancellationToken = default)
    {
        var body = JsonSerializer.Serialize(new { model, messages = new[] { new { role = "user", content = prompt } } });
        using var response = await _http.PostAsync(
            new Uri(_server.Endpoint + "/chat/completions"), new StringContent(body, Encoding.UTF8, "application/json"), cancellationToken);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
        return response.IsSuccessStatusCode
            ? (response.StatusCode, json.RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString(), null)
            : (response.StatusCode, null, json.RootElement.GetProperty("error").GetProperty("message").GetString());
    }
}
