using MultiAgent.Contracts;
using MultiAgent.Repositories;
using MultiAgent.IntegrationTests.Infrastructure;

namespace MultiAgent.IntegrationTests.EndToEnd;

/// <summary>
/// A hostile repository and a prompt-injected model against the running system: the repository's check goes looking
/// for secrets (the agent's environment, the data folder's password files, the NATS port, git hooks, places outside its
/// workspace); the model writes every secret of the run (model API key, GitHub token, database password, every NATS
/// password) into a file, its summary and its review. The job still ends, and no secret is in anything the system
/// keeps, publishes or prints: the repository, the pull request and its reviews, the database, the NATS streams, the
/// agents' output, and what the model was sent.
/// </summary>
[Collection(SystemCollection.Name)]
public sealed class SecretScenarios(SystemFixture system) : ScenarioTests(system)
{
    [Fact]
    public async Task A_hostile_check_and_a_model_leaking_every_secret_leave_no_secret_anywhere_the_system_writes()
    {
        await using var scenario = await Scenario.StartAsync(Fixture);
        // The data folder, beside the password files: not in the check's view (a write there lands in the sandbox's own
        // throw-away /tmp, if the path falls under /tmp as it does here).
        var outside = Path.Combine(Fixture.DataRoot, "owned-by-" + scenario.Marker);
        var natsPort = new Uri(Fixture.NatsAddress).Port;
        await scenario.CommitToMainAsync(".multiagent/check",
            $"""
            echo "whoami: $(id)"
            env
            tr '\0' '\n' < /proc/$PPID/environ 2>&1
            cat {Fixture.DataRoot}/postgres.password {Fixture.DataRoot}/nats-*.password {Fixture.DataRoot}/cli/operator.json 2>&1
            timeout 3 bash -c 'exec 3<>/dev/tcp/127.0.0.1/{natsPort}' 2>/dev/null && echo NATS-REACHABLE || echo "nats: unreachable"
            echo 'touch {outside}-hook' > .git/hooks/post-commit 2>/dev/null && echo HOOK-WRITTEN || echo "hooks: refused"
            mkdir -p {Path.GetDirectoryName(outside)} 2>/dev/null; echo owned > {outside} 2>/dev/null
            exit 0
            """);
        // Each agent leaks what its own process holds: the model API key, the GitHub token, the database password and
        // its own NATS password.
        string Leak(string agent) => string.Join(" ", SystemFixture.LlmApiKey, SystemFixture.GitHubToken, Fixture.DatabasePassword, Fixture.NatsPasswordOf(agent));
        scenario.Coder.Enqueue(Scripts.WriteFileAndFinish(scenario.FileName, $"from {scenario.Marker}: {Leak("coder")}\n", $"Here are the keys: {Leak("coder")}"));
        scenario.Reviewer.Enqueue(Scripts.Verdict("APPROVE", $"Keys: {Leak("reviewer")}", (scenario.FileName, 1, "INFO", $"Keys: {Leak("reviewer")}")));

        var jobId = await Client.SubmitAsync(scenario.Feature("Write the marker file"));
        var done = await Client.WaitForEndAsync(jobId, JobStatus.Completed, scenario);

        // The check ran as nobody, and everything it tried was refused.
        var pullRequest = (await Client.PullRequests.GetAsync(scenario.Repository, 1))!;
        Assert.True(pullRequest.Body.Contains("whoami: uid=65534", StringComparison.Ordinal), pullRequest.Body);
        Assert.True(pullRequest.Body.Contains("nats: unreachable", StringComparison.Ordinal), pullRequest.Body);
        Assert.True(pullRequest.Body.Contains("hooks: refused", StringComparison.Ordinal), pullRequest.Body);
        Assert.True(pullRequest.Body.Contains("postgres.password: No such file", StringComparison.Ordinal), pullRequest.Body);
        Assert.False(File.Exists(outside), "the check wrote outside its workspace");
        Assert.False(File.Exists(outside + "-hook"), "a git hook the check wrote ran");

        // What the model wrote reached the repository, the pull request and the review masked.
        Assert.Equal($"from {scenario.Marker}: *** *** *** ***", await scenario.ShowAsync("main", scenario.FileName));
        Assert.Contains("Here are the keys: *** *** *** ***", pullRequest.Body, StringComparison.Ordinal);
        var review = Assert.Single(await Client.PullRequests.ListReviewsAsync(scenario.Repository, 1));
        Assert.Equal(ReviewDecision.Approve, review.Decision);
        Assert.Equal("Keys: *** *** *** ***", Assert.Single(review.Comments).Body);

        var places = new Dictionary<string, string>
        {
            ["the repository"] = await scenario.HistoryAsync(),
            ["the pull request and its reviews"] = pullRequest.Body + pullRequest.Title + string.Concat((await Client.PullRequests.ListReviewsAsync(scenario.Repository, 1)).Select(r => r.Summary + string.Concat(r.Comments.Select(c => c.Body)))),
            ["the database"] = await Client.DumpDatabaseAsync(),
            ["the NATS streams"] = await Client.DumpStreamsAsync(),
            ["the agents' and servers' output"] = string.Join('\n', Fixture.ResourceLogLines),
            // What the system itself sent the model: the Coder's task and the Reviewer's diff and pull request (later
            // Coder requests echo the model's own replies back to it).
            ["the model's requests"] = scenario.Coder.Requests[0].Body + string.Concat(scenario.Reviewer.Requests.Select(r => r.Body)),
        };
        Assert.Contains(Fixture.ResourceLogLines, line => line.Contains(jobId, StringComparison.Ordinal)); // the output is captured
        foreach (var (place, text) in places)
        {
            foreach (var secret in Fixture.Secrets)
            {
                Assert.False(text.Contains(secret, StringComparison.Ordinal), $"a secret ({secret[..3]}…) is in {place}");
            }
        }

        Assert.Equal(JobStatus.Completed, done.Job.Status);
    }
}
