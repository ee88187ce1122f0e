using MultiAgent.Cli.Output;
using MultiAgent.Contracts;

namespace MultiAgent.UnitTests.Cli;

/// <summary>How replies are rendered, rich and plain, from sample contracts (no system needed).</summary>
public sealed class CliOutputTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);

    private static readonly JobStatusReply Sample = new(
        new JobSummary("job-0123456789ab", "https://github.com/acme/shop", "Fix [red]the[/] bug", JobStatus.Failed, Now, Now,
            Iteration: 2, MaxIterations: 3, PullRequestUrl: "https://github.com/acme/shop/pull/7", Error: "review rejected [twice]",
            CompletedAt: Now, TokenUsage: new TokenUsage(1200, 345)),
        [new TaskSummary("task-1", AgentType.Coder, MessageTypes.ImplementationRequest, AgentTaskStatus.Failed, 2, "tests failed", new TokenUsage(1200, 345), Now, Now, 61_000)],
        [new TimelineEntry(1, JobEventTypes.JobFailed, "job failed: review rejected", Now)]);

    [Fact]
    public void Job_status_shows_every_field_and_never_reads_job_text_as_markup()
    {
        var plain = Render(rich: false, terminal => JobViews.Status(terminal, Sample));
        var rich = Render(rich: true, terminal => JobViews.Status(terminal, Sample));

        foreach (var expected in new[]
                 {
                     "job-0123456789ab", "Fix [red]the[/] bug", "FAILED", "2 of 3", "https://github.com/acme/shop/pull/7",
                     "1,545 (1,200 in, 345 out)", "review rejected [twice]", "task-1", "CODER", "1m01s", "job.failed",
                 })
        {
            Assert.Contains(expected, plain);
        }

        Assert.False(CliRunner.HasAnsi(plain));
        Assert.DoesNotContain(" \n", plain.ReplaceLineEndings("\n"));
        Assert.DoesNotContain("│", plain);
        Assert.True(CliRunner.HasAnsi(rich));
        Assert.Contains("╭", rich);
    }

    [Fact]
    public void Approve_and_reject_say_what_follows()
    {
        var approved = Render(rich: false, terminal => JobViews.Approved(terminal, new ApprovalReply("job-0123456789ab", JobStatus.AwaitingApproval, true)));
        var rejected = Render(rich: false, terminal => JobViews.Rejected(terminal, new ApprovalReply("job-0123456789ab", JobStatus.AwaitingApproval, false)));

        Assert.Equal("Approved job job-0123456789ab: the merge follows (watch it with `multi-agent watch job-0123456789ab`)", approved.Trim());
        Assert.Equal("Rejected job job-0123456789ab: it will be marked FAILED and its pull request closed", rejected.Trim());
    }

    [Fact]
    public void Lists_and_agents_say_how_many_and_where_the_next_page_is()
    {
        var list = Render(rich: false, terminal => JobViews.List(terminal,
            new ListJobsReply([Sample.Job], Total: 45), new ListJobsQuery(Limit: 1, Offset: 20)));
        var empty = Render(rich: false, terminal => JobViews.List(terminal, new ListJobsReply([], 0), new ListJobsQuery()));
        var agents = Render(rich: false, terminal => AgentViews.Agents(terminal, new AgentsReply(
        [
            new AgentHealth(AgentType.RepoManager, "repomanager-a-1", true, AgentState.Idle, Now.AddSeconds(-2), 3700, 10, 1, 0.1, 12.5,
                WorkingSetBytes: 183L << 20, CpuPercent: 37.5),
            new AgentHealth(AgentType.Coder, "coder-a-2", false, AgentState.Stopped, Now.AddMinutes(-1), 5, 0, 0, 0, 0),
        ]), Now));

        Assert.Contains("21-21 of 45 jobs (next page: --offset 21)", list);
        Assert.Equal("No jobs.", empty.Trim());
        Assert.Contains("REPO_MANAGER", agents);
        Assert.Contains("1h01m", agents);
        Assert.Contains("10%", agents);
        Assert.Contains("37.5%", agents);
        Assert.Contains("183 MB", agents);
        Assert.Contains("1 of 2 instances healthy", agents);
        Assert.True(agents.IndexOf("CODER", StringComparison.Ordinal) < agents.IndexOf("REPO_MANAGER", StringComparison.Ordinal));
    }

    [Fact]
    public void A_plan_is_a_tree_of_features_under_their_dependencies_with_their_jobs_and_reasons()
    {
        var plan = Render(rich: false, terminal => ProjectViews.Plan(terminal,
        [
            new FeatureSummary("auth-api", "Register and log-in API", FeatureStatus.Completed, AcceptanceCriteria: ["POST /login returns a token"],
                JobId: "proj-3f9c0a1b2c4d-1",
                Job: Sample.Job with { JobId = "proj-3f9c0a1b2c4d-1", Status = JobStatus.Completed, Iteration = 1, TokenUsage = new TokenUsage(420, 70, 0.00121m) }),
            new FeatureSummary("login-page", "Login [b]page[/b]", FeatureStatus.Blocked, DependsOn: ["auth-api"],
                Reason: "it depends on 'auth-api', which failed: tests failed"),
            new FeatureSummary("licences", "Licences page", FeatureStatus.Running, JobId: "proj-3f9c0a1b2c4d-3",
                Job: Sample.Job with { JobId = "proj-3f9c0a1b2c4d-3", Status = JobStatus.Reviewing }),
        ]));

        var lines = plan.ReplaceLineEndings("\n").Split('\n');
        Assert.StartsWith("Features (3)", lines[0]);
        var api = Array.FindIndex(lines, l => l.Contains("auth-api [COMPLETED] Register and log-in API", StringComparison.Ordinal));
        var page = Array.FindIndex(lines, l => l.Contains("login-page [BLOCKED] Login [b]page[/b]", StringComparison.Ordinal));
        Assert.True(api > 0 && page > api, plan);
        Assert.True(lines[page].IndexOf("login-page", StringComparison.Ordinal) > lines[api].IndexOf("auth-api", StringComparison.Ordinal), "a dependant sits under its dependency:\n" + plan);
        Assert.Contains("job proj-3f9c0a1b2c4d-1, iteration 1/3, tokens 490, cost 0.0012", plan);
        Assert.Contains("reason: it depends on 'auth-api', which failed: tests failed", plan);
        Assert.Contains("licences [REVIEWING] Licences page", plan);
        Assert.Contains("- POST /login returns a token", plan);
        Assert.Contains("pull request: https://github.com/acme/shop/pull/7", plan);
    }

    private static string Render(bool rich, Action<Terminal> render)
    {
        using var writer = new StringWriter();
        var environment = new Dictionary<string, string?> { ["TERM"] = "xterm-256color" };
        render(new Terminal(writer, isTerminal: rich, environment));
        return writer.ToString();
    }
}
