using System.Collections.Concurrent;
using MultiAgent.Contracts;

namespace MultiAgent.IntegrationTests.Fakes.OpenAI;

/// <summary>
/// The reply source of a model server shared by many scenarios at once (the end-to-end tests' one topology): a request
/// goes to the scenario whose marker occurs in its body (the Coder's prompt holds the feature's title and description,
/// the Reviewer's the pull request's diff, the planner's the project's requirements); when several occur and one of them
/// holds all the others (a project's feature, <c>e2e-1234abcd-a</c>, in its project's repository <c>e2e-1234abcd</c>),
/// that most specific one. Within the scenario a request goes to the script of the agent whose model the request names
/// (each agent is configured with a model of its own). Anything that cannot be routed or finds its script empty is
/// answered 400 with a message saying why (not retried by the LLM layer, so the task fails at once with that message)
/// and recorded, for the test's failure message.
/// </summary>
public sealed class ScenarioRouter(IReadOnlyDictionary<string, AgentType> agentsByModel) : IReplySource
{
    private readonly ConcurrentDictionary<string, LlmScenario> _scenarios = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _unrouted = new();

    /// <summary>The model each agent is configured with.</summary>
    public IReadOnlyDictionary<string, AgentType> AgentsByModel { get; } = agentsByModel;

    /// <summary>Requests no scenario took, each with the reason.</summary>
    public IReadOnlyList<string> Unrouted => [.. _unrouted];

    /// <summary>Starts routing requests that contain <paramref name="marker"/> to a new scenario.</summary>
    public LlmScenario Add(string marker)
    {
        var scenario = new LlmScenario(marker);
        return _scenarios.TryAdd(marker, scenario) ? scenario : throw new InvalidOperationException($"Scenario {marker} exists already.");
    }

    public void Remove(string marker) => _scenarios.TryRemove(marker, out _);

    public async Task<FakeReply> NextAsync(RecordedRequest request, CancellationToken cancellationToken)
    {
        var matches = _scenarios.Values.Where(s => request.Body.Contains(s.Marker, StringComparison.Ordinal)).ToList();
        if (matches.Count > 1 && matches.FirstOrDefault(m => matches.All(other => m.Marker.Contains(other.Marker, StringComparison.Ordinal))) is { } specific)
        {
            matches = [specific];
        }

        if (matches.Count != 1)
        {
            return Unroutable(matches.Count == 0
                ? $"fake: no scenario's marker occurs in this request (model '{request.Model}')"
                : $"fake: the markers of several scenarios occur in this request: {string.Join(", ", matches.Select(s => s.Marker))}");
        }

        var scenario = matches[0];
        if (request.Model is not { } model || !AgentsByModel.TryGetValue(model, out var agent))
        {
            return Unroutable($"fake: scenario {scenario.Marker} got a request for model '{request.Model}', which is no agent's");
        }

        return await scenario.For(agent).TryNextAsync(request, cancellationToken)
            ?? Refuse(scenario.RecordUnscripted(agent, request));
    }

    private FaultReply Unroutable(string reason)
    {
        _unrouted.Enqueue(reason);
        return Refuse(reason);
    }

    private static FaultReply Refuse(string reason) => Fault.Status(400, Fault.ErrorBody(reason, "invalid_request_error"));
}

/// <summary>What the model says to the agents in one scenario: a script per agent, and the requests nothing was scripted for.</summary>
public sealed class LlmScenario(string marker)
{
    private readonly ConcurrentQueue<string> _unscripted = new();

    /// <summary>The text that routes a request here.</summary>
    public string Marker { get; } = marker;

    /// <summary>The Coder's replies: tool calls (<c>write_file</c>, <c>finish</c>, …), faults and gates.</summary>
    public ReplyScript Coder { get; } = new();

    /// <summary>The Reviewer's replies: its JSON verdicts, faults and gates.</summary>
    public ReplyScript Reviewer { get; } = new();

    /// <summary>The Repo Manager's replies: its project plans (JSON), faults and gates.</summary>
    public ReplyScript Planner { get; } = new();

    /// <summary>One line per request that found its agent's script empty.</summary>
    public IReadOnlyList<string> Unscripted => [.. _unscripted];

    public ReplyScript For(AgentType agent) => agent switch
    {
        AgentType.Coder => Coder,
        AgentType.Reviewer => Reviewer,
        AgentType.RepoManager => Planner,
        _ => throw new ArgumentOutOfRangeException(nameof(agent), agent, "No such agent talks to the model."),
    };

    /// <summary>Requests, replies left and unscripted requests per agent, for failure messages.</summary>
    public string Describe() =>
        $"LLM scenario {Marker}: coder {Coder.Requests.Count} request(s), {Coder.Remaining} reply(ies) left; " +
        $"reviewer {Reviewer.Requests.Count} request(s), {Reviewer.Remaining} reply(ies) left; " +
        $"planner {Planner.Requests.Count} request(s), {Planner.Remaining} reply(ies) left" +
        (_unscripted.IsEmpty ? "" : "; unscripted: " + string.Join(" | ", _unscripted));

    internal string RecordUnscripted(AgentType agent, RecordedRequest request)
    {
        var reason = $"fake: nothing scripted for the {agent} in scenario {Marker} (its request #{For(agent).Requests.Count})";
        _unscripted.Enqueue(reason);
        return reason;
    }
}
