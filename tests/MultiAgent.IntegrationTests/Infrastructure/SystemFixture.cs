using MultiAgent.Contracts;
using MultiAgent.IntegrationTests.Fakes.GitHub;
using MultiAgent.IntegrationTests.Fakes.OpenAI;

namespace MultiAgent.IntegrationTests.Infrastructure;

/// <summary>
/// The whole system: servers and the three agents, and the outside services they talk to, hosted by the test on
/// 127.0.0.1 and started before the AppHost: a model server routing requests by scenario (<see cref="Llm"/>) and the
/// GitHub REST fake (<see cref="GitHub"/>). Settings make failures show within seconds: a 3 s model timeout, task
/// retries after 1 s, a 6 s ack wait (a killed agent's task comes back quickly), 3 attempts. End-to-end scenarios share
/// this one topology, each isolated by its marker (see <c>EndToEnd/Scenario</c>).
/// </summary>
public class SystemFixture : AppHostFixture
{
    public const string CoderModel = "e2e-coder";
    public const string ReviewerModel = "e2e-reviewer";
    public const string PlannerModel = "e2e-planner";

    /// <summary>OpenAI-shaped, so the agents' redaction of it applies.</summary>
    public const string LlmApiKey = "sk-e2e-RmFrZU1vZGVsS2V5Rm9yRTJFVGVzdHM";

    /// <summary>Shaped like a GitHub token; the fake requires it.</summary>
    public const string GitHubToken = "ghp_E2eFakeToken0For1End2To3End4Tests";

    /// <summary>The model's request timeout the agents run with.</summary>
    public static readonly TimeSpan LlmRequestTimeout = TimeSpan.FromSeconds(3);

    private FakeOpenAIServer? _llmServer;
    private GitHubFake? _gitHub;
    private Notifications.FakeWebhook? _slack;
    private Notifications.FakeWebhook? _discord;

    /// <summary>Routes the agents' model requests to the scenarios' scripts.</summary>
    public ScenarioRouter Llm { get; } = new(new Dictionary<string, AgentType>
    {
        [CoderModel] = AgentType.Coder,
        [ReviewerModel] = AgentType.Reviewer,
        [PlannerModel] = AgentType.RepoManager,
    });

    /// <summary>
    /// Where the model's answers come from instead of <see cref="Llm"/>, for a harness that answers every request itself
    /// (the soak and pipeline benchmarks, <c>tools/MultiAgent.SystemBenchmarks</c>). Set before the topology starts.
    /// </summary>
    public IReplySource? ModelReplies { get; init; }

    /// <summary>The OpenAI-compatible server the agents call (every request is in its <see cref="FakeOpenAIServer.Requests"/>).</summary>
    public FakeOpenAIServer LlmServer => _llmServer ?? throw new InvalidOperationException("The topology is not started.");

    /// <summary>The Slack webhook the Repo Manager notifies (every job's notifications of every level).</summary>
    public Notifications.FakeWebhook Slack => _slack ?? throw new InvalidOperationException("The topology is not started.");

    /// <summary>The Discord webhook the Repo Manager notifies (from Success up).</summary>
    public Notifications.FakeWebhook Discord => _discord ?? throw new InvalidOperationException("The topology is not started.");

    /// <summary>The GitHub REST API the agents call for <c>https://github.com/…</c> repositories.</summary>
    public GitHubFake GitHub => _gitHub ?? throw new InvalidOperationException("The topology is not started.");

    protected override bool StartAgents => true;

    protected override IEnumerable<string> ConfiguredSecrets => [LlmApiKey, GitHubToken, Slack.Url, Discord.Url];

    protected override async Task<IReadOnlyList<string>> BeforeStartAsync()
    {
        _llmServer = await FakeOpenAIServer.StartAsync(ModelReplies ?? Llm);
        _gitHub = await GitHubFake.StartAsync();
        _gitHub.RequiredToken = GitHubToken;
        _slack = await Notifications.FakeWebhook.StartAsync();
        _discord = await Notifications.FakeWebhook.StartAsync();
        return
        [
            "--MultiAgent:Llm:Provider=OpenAI",
            $"--MultiAgent:Llm:Endpoint={_llmServer.Endpoint}",
            $"--MultiAgent:Llm:ApiKey={LlmApiKey}",
            $"--MultiAgent:Llm:Agents:coder:Model={CoderModel}",
            $"--MultiAgent:Llm:Agents:reviewer:Model={ReviewerModel}",
            $"--MultiAgent:Llm:Agents:repomanager:Model={PlannerModel}",
            // Prices per million tokens, so that jobs show a cost: Coder 2.5 in / 10 out, Reviewer 1 in / 4 out.
            "--MultiAgent:Llm:Agents:coder:Prices:InputPerMillionTokens=2.5",
            "--MultiAgent:Llm:Agents:coder:Prices:OutputPerMillionTokens=10",
            "--MultiAgent:Llm:Agents:reviewer:Prices:InputPerMillionTokens=1",
            "--MultiAgent:Llm:Agents:reviewer:Prices:OutputPerMillionTokens=4",
            $"--MultiAgent:Llm:RequestTimeout={LlmRequestTimeout:c}",
            "--MultiAgent:Llm:MaxRetries=2",
            "--MultiAgent:Llm:RetryBaseDelay=00:00:00.200",
            "--MultiAgent:Llm:MaxRetryAfter=00:00:05",
            $"--MultiAgent:GitHub:ApiBaseUrl={_gitHub.ApiBaseUrl}",
            $"--MultiAgent:GitHub:Token={GitHubToken}",
            $"--MultiAgent:Notifications:Slack:WebhookUrl={_slack.Url}",
            $"--MultiAgent:Notifications:Discord:WebhookUrl={_discord.Url}",
            "--MultiAgent:Notifications:Discord:MinLevel=Success",
            "--MultiAgent:GitHub:RequestTimeout=00:00:05",
            "--MultiAgent:GitHub:RetryBaseDelay=00:00:00.100",
            "--MultiAgent:GitHub:MaxRateLimitWait=00:00:05",
            // A killed agent or server is started again after 1 s, not 4: the scenarios kill several.
            "--MultiAgent:Restart:Delay=00:00:01",
            "--MultiAgent:TaskBus:RetryDelays:0=00:00:01",
            "--MultiAgent:TaskBus:AckWait=00:00:06",
            "--MultiAgent:TaskBus:MaxAttempts=3",
            "--MultiAgent:Agent:TaskTimeout=00:02:00",
            "--MultiAgent:Coder:MaxWallTime=00:01:30",
            // Every job runs a check, in the Coder's sandbox: it passes only as the sandbox's uid.
            "--MultiAgent:Coder:CheckCommand=test \"$(id -u)\" = 65534 && echo sandboxed check as $(id -un)",
            $"--MultiAgent:Workspaces:Root={Path.Combine(DataRoot, "workspaces")}",
            $"--MultiAgent:LocalGit:ScratchRoot={Path.Combine(DataRoot, "merges")}",
        ];
    }

    protected override async ValueTask AfterStopAsync()
    {
        if (_llmServer is not null)
        {
            await _llmServer.DisposeAsync();
        }

        if (_gitHub is not null)
        {
            await _gitHub.DisposeAsync();
        }

        foreach (var webhook in new[] { _slack, _discord })
        {
            if (webhook is not null)
            {
                await webhook.DisposeAsync();
            }
        }
    }
}
