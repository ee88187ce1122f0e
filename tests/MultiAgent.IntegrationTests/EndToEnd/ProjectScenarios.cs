using MultiAgent.Cli;
using MultiAgent.Contracts;
using MultiAgent.Hosting.Nats;
using MultiAgent.IntegrationTests.Cli;
using MultiAgent.IntegrationTests.Fakes.OpenAI;
using MultiAgent.IntegrationTests.Infrastructure;

namespace MultiAgent.IntegrationTests.EndToEnd;

/// <summary>
/// Projects on the running system: the Repo Manager's model plans the requirements (the scripted planner), and each
/// feature runs as a job through the real Coder and Reviewer, in dependency order, merged on the local-git host.
/// Every feature has a marker of its own (<see cref="Scenario.FeatureModel"/>), so features running at the same time each
/// get their own scripted replies.
/// </summary>
[Collection(SystemCollection.Name)]
public sealed class ProjectScenarios(SystemFixture system) : ScenarioTests(system)
{
    [Fact]
    public async Task A_planned_project_runs_independent_features_together_and_a_dependant_after_its_dependency_merged()
    {
        await using var scenario = await Scenario.StartAsync(Fixture);
        scenario.Llm.Planner.Enqueue(Scripts.Plan(
            ("a", $"Feature A [{scenario.Marker}-a]", []),
            ("b", $"Feature B [{scenario.Marker}-b]", ["a"]),
            ("c", $"Feature C [{scenario.Marker}-c]", [])));
        foreach (var key in new[] { "a", "b", "c" })
        {
            var feature = scenario.FeatureModel(key);
            feature.Coder.Enqueue(Scripts.WriteFileAndFinish(scenario.FeatureFile(key), $"feature {key}\n"));
            feature.Reviewer.Enqueue(Scripts.Approve());
        }

        // --plan-only: the plan is printed, and nothing starts before approve-plan.
        var planned = await CliRunner.RunAsAsync(Fixture, NatsUsers.Operator,
            "start-project", "--repo", scenario.Repository, "--requirements", $"Three features [{scenario.Marker}]\n- A\n- B after A\n- C", "--plan-only");
        Assert.True(planned.ExitCode == ExitCodes.Ok, planned.Stdout + planned.Stderr);
        var projectId = ProjectIdIn(planned.Stdout);
        Assert.Contains("is planned:", planned.Stdout);
        Assert.Contains($"a [WAITING] Feature A [{scenario.Marker}-a]", planned.Stdout);
        Assert.Contains("after: a", planned.Stdout);
        Assert.Contains($"multi-agent approve-plan {projectId}", planned.Stdout);
        var waiting = await Client.Queries.ProjectStatusAsync(projectId);
        Assert.Equal(ProjectStatus.Planned, waiting.Project.Status);
        Assert.All(waiting.Features, f => Assert.Null(f.JobId));

        var approved = await CliRunner.RunAsAsync(Fixture, NatsUsers.Operator, "approve-plan", projectId);
        Assert.True(approved.ExitCode == ExitCodes.Ok, approved.Stdout + approved.Stderr);
        var again = await CliRunner.RunAsAsync(Fixture, NatsUsers.Operator, "approve-plan", projectId);
        Assert.Equal(ExitCodes.Failure, again.ExitCode);
        Assert.Contains("only a planned project waiting for approval can be approved", again.Stderr);

        var done = await WaitForProjectEndAsync(projectId, scenario);
        Assert.Equal(ProjectStatus.Completed, done.Project.Status);
        Assert.Equal((3, 3), (done.Project.Features, done.Project.FeaturesCompleted));
        var jobs = done.Features.ToDictionary(f => f.Key, f => f.Job!);
        Assert.All(jobs.Values, j => Assert.Equal(JobStatus.Completed, j.Status));
        Assert.Equal([$"{projectId}-1", $"{projectId}-2", $"{projectId}-3"], done.Features.Select(f => f.JobId!));

        // A and C ran at the same time; B started only once A had merged, from a base that holds A's merge.
        Assert.True(jobs["a"].CreatedAt < jobs["c"].CompletedAt && jobs["c"].CreatedAt < jobs["a"].CompletedAt,
            $"A ran {jobs["a"].CreatedAt:O}–{jobs["a"].CompletedAt:O}, C {jobs["c"].CreatedAt:O}–{jobs["c"].CompletedAt:O}");
        Assert.True(jobs["b"].CreatedAt >= jobs["a"].CompletedAt, $"B started {jobs["b"].CreatedAt:O}, A merged {jobs["a"].CompletedAt:O}");
        var b = await Client.Queries.JobStatusAsync(jobs["b"].JobId);
        var bHead = (await Client.PullRequests.GetAsync(scenario.Repository, PullRequestNumber(b.Job.PullRequestUrl!)))!.HeadSha!;
        Assert.True(await scenario.IsAncestorAsync(jobs["a"].MergeCommitSha!, bHead), "B's branch does not hold A's merge");
        Assert.True(await scenario.IsAncestorAsync(jobs["a"].MergeCommitSha!, jobs["b"].MergeCommitSha!));
        foreach (var key in new[] { "a", "b", "c" })
        {
            Assert.Equal($"feature {key}", await scenario.ShowAsync("main", scenario.FeatureFile(key)));
            var job = await Client.Queries.JobStatusAsync(jobs[key].JobId);
            Assert.Equal(1, job.Timeline.Count(e => e.Type == JobEventTypes.JobCompleted));
        }

        // Tokens: the plan (380) and each job (490: the Coder's two calls and the Reviewer's one); the project's are their sum.
        Assert.Equal(380 + 3 * 490, done.Project.TokenUsage.Total);
        // The project's timeline: its own events, and those of its planning task (a task of the project).
        Assert.Equal([ProjectEventTypes.Created, ProjectEventTypes.Planned, ProjectEventTypes.Started],
            done.Timeline.Select(e => e.Type).Where(t => t.StartsWith("project.", StringComparison.Ordinal)).Take(3));
        Assert.Contains(done.Timeline, e => e.Type == JobEventTypes.TaskCompleted && e.Message.Contains("planned 3 feature(s)", StringComparison.Ordinal));
        Assert.Equal(3, done.Timeline.Count(e => e.Type == ProjectEventTypes.FeatureStarted));
        Assert.Equal(ProjectEventTypes.Ended, done.Timeline[^1].Type);

        var status = await CliRunner.RunAsAsync(Fixture, NatsUsers.Viewer, "project-status", projectId);
        Assert.True(status.ExitCode == ExitCodes.Ok, status.Stderr);
        Assert.Contains("COMPLETED", status.Stdout);
        Assert.Contains("3 of 3 merged", status.Stdout);
        Assert.Contains($"job {projectId}-2, iteration 1/3", status.Stdout);
        var listed = await CliRunner.RunAsAsync(Fixture, NatsUsers.Viewer, "list-projects", "--json");
        Assert.Contains($"\"projectId\":\"{projectId}\"", listed.Stdout);
        // Listed with its own features (the list reads every listed project's features at once), not another project's.
        var summary = MessageSerializer.DeserializeMessage<ListProjectsReply>(System.Text.Encoding.UTF8.GetBytes(listed.Stdout)).Projects
            .Single(p => p.ProjectId == projectId);
        Assert.Equal((3, 3, 380 + 3 * 490L), (summary.Features, summary.FeaturesCompleted, summary.TokenUsage.Total));
        var watched = await CliRunner.RunAsAsync(Fixture, NatsUsers.Viewer, "watch", projectId);
        Assert.Equal(ExitCodes.Ok, watched.ExitCode);
        Assert.Contains($"Project {projectId} ended COMPLETED: 3 of 3 feature(s) merged", watched.Stdout);

        // watch --json: one JobEvent per line (NDJSON), for the project and for one of its jobs.
        var projectLines = await CliRunner.RunAsAsync(Fixture, NatsUsers.Viewer, "watch", projectId, "--json");
        var jobLines = await CliRunner.RunAsAsync(Fixture, NatsUsers.Viewer, "watch", jobs["a"].JobId, "--json");
        Assert.Equal((ExitCodes.Ok, ExitCodes.Ok), (projectLines.ExitCode, jobLines.ExitCode));
        var projectEvents = Events(projectLines.Stdout);
        Assert.All(projectEvents, e => Assert.Equal(projectId, e.JobId));
        Assert.Equal(ProjectEventTypes.Ended, projectEvents[^1].Type);
        Assert.Contains(Events(jobLines.Stdout), e => e.Type == JobEventTypes.JobCompleted && e.JobId == jobs["a"].JobId);
        Assert.Empty(scenario.Llm.Unscripted);
    }

    [Fact]
    public async Task A_plan_with_a_cycle_is_sent_back_once_and_a_second_bad_plan_fails_the_project_with_the_reason()
    {
        await using var scenario = await Scenario.StartAsync(Fixture);
        scenario.Llm.Planner.Enqueue(
            Scripts.Plan(("a", "A", ["b"]), ("b", "B", ["a"])),
            Scripts.Plan(("a", "A", ["zzz"]), ("b", "B", [])));

        var projectId = await StartAsync(scenario, "Two features that wait for each other");
        var done = await WaitForProjectEndAsync(projectId, scenario);

        Assert.Equal(ProjectStatus.Failed, done.Project.Status);
        Assert.Contains("the model's plan was not valid after 2 answers", done.Project.Error);
        Assert.Contains("feature 'a' depends on 'zzz', which is no feature of the plan", done.Project.Error);
        Assert.Empty(done.Features);
        var repair = scenario.Llm.Planner.Requests[1].Body;
        Assert.Contains("the dependencies form a cycle: a → b → a", System.Text.RegularExpressions.Regex.Unescape(repair));
        Assert.Equal(2, scenario.Llm.Planner.Requests.Count);

        // Both answers were paid for: the planning task records them as it ends, just after the project's end.
        await Eventually.ReturnsAsync(_ => Client.Queries.ProjectStatusAsync(projectId), s => s.Project.TokenUsage.Total == 2 * 380,
            SystemClient.DefaultPatience, "the planning task's usage to count");
    }

    [Fact]
    public async Task A_feature_that_fails_blocks_its_dependants_and_the_project_ends_partial_with_each_reason()
    {
        await using var scenario = await Scenario.StartAsync(Fixture);
        scenario.Llm.Planner.Enqueue(Scripts.Plan(
            ("a", $"Feature A [{scenario.Marker}-a]", []),
            ("b", $"Feature B [{scenario.Marker}-b]", ["a"]),
            ("c", $"Feature C [{scenario.Marker}-c]", [])));
        scenario.FeatureModel("a").Coder.Enqueue(Fault.Status(400, Fault.ErrorBody("this request cannot be served", "invalid_request_error")));
        var c = scenario.FeatureModel("c");
        c.Coder.Enqueue(Scripts.WriteFileAndFinish(scenario.FeatureFile("c"), "feature c\n"));
        c.Reviewer.Enqueue(Scripts.Approve());
        var b = scenario.FeatureModel("b");

        var projectId = await StartAsync(scenario, "A fails, B needs A, C does not");
        var done = await WaitForProjectEndAsync(projectId, scenario);

        Assert.Equal(ProjectStatus.Partial, done.Project.Status);
        var features = done.Features.ToDictionary(f => f.Key);
        Assert.Equal(FeatureStatus.Failed, features["a"].Status);
        Assert.Contains("this request cannot be served", features["a"].Reason);
        Assert.Equal(FeatureStatus.Blocked, features["b"].Status);
        Assert.StartsWith("it depends on 'a', which failed: ", features["b"].Reason);
        Assert.Null(features["b"].JobId);
        Assert.Equal(FeatureStatus.Completed, features["c"].Status);
        Assert.Contains("'a' FAILED: ", done.Project.Error);
        Assert.Contains("'b' BLOCKED: it depends on 'a'", done.Project.Error);
        Assert.Empty(b.Coder.Requests);
        Assert.Equal("feature c", await scenario.ShowAsync("main", scenario.FeatureFile("c")));
    }

    [Fact]
    public async Task A_project_whose_Repo_Manager_is_killed_while_a_feature_runs_ends_every_feature_exactly_once()
    {
        await using var scenario = await Scenario.StartAsync(Fixture);
        scenario.Llm.Planner.Enqueue(Scripts.Plan(
            ("a", $"Feature A [{scenario.Marker}-a]", []),
            ("b", $"Feature B [{scenario.Marker}-b]", ["a"])));
        var gate = new FakeGate();
        var a = scenario.FeatureModel("a");
        a.Coder.Enqueue([gate, .. Scripts.WriteFileAndFinish(scenario.FeatureFile("a"), "feature a\n")]);
        a.Reviewer.Enqueue(Scripts.Approve());
        var b = scenario.FeatureModel("b");
        b.Coder.Enqueue(Scripts.WriteFileAndFinish(scenario.FeatureFile("b"), "feature b\n"));
        b.Reviewer.Enqueue(Scripts.Approve());

        var projectId = await StartAsync(scenario, "Survive the Repo Manager");
        await gate.WhenReachedAsync(SystemClient.DefaultPatience);
        var killed = await SystemProcesses.KillAsync(Fixture, "repomanager");
        gate.Release();
        await SystemProcesses.WaitUntilRestartedAsync(Fixture, "repomanager", killed);
        var done = await WaitForProjectEndAsync(projectId, scenario);

        Assert.Equal(ProjectStatus.Completed, done.Project.Status);
        foreach (var feature in done.Features)
        {
            var job = await Client.Queries.JobStatusAsync(feature.JobId!);
            Assert.Equal(JobStatus.Completed, job.Job.Status);
            Assert.Equal(1, job.Timeline.Count(e => e.Type == JobEventTypes.JobCompleted));
            Assert.Equal(1, job.Tasks.Count(t => t.MessageType == MessageTypes.FeatureRequest));
            Assert.Equal(1, job.Tasks.Count(t => t.MessageType == MessageTypes.ImplementationRequest));
        }

        Assert.Equal(2, done.Timeline.Count(e => e.Type == ProjectEventTypes.FeatureStarted));
        Assert.Equal(1, done.Timeline.Count(e => e.Type == ProjectEventTypes.Ended));
        Assert.Equal(3, (await scenario.CommitsAsync("main")).Count(c => c.Contains("Merge", StringComparison.OrdinalIgnoreCase)) + 1);
    }

    [Fact]
    public async Task Two_features_that_edit_the_same_file_at_once_both_merge_the_second_after_a_conflict_round()
    {
        await using var scenario = await Scenario.StartAsync(Fixture);
        scenario.Llm.Planner.Enqueue(Scripts.Plan(
            ("a", $"Feature A [{scenario.Marker}-a]", []),
            ("b", $"Feature B [{scenario.Marker}-b]", [])));
        // Each feature writes a file of its own (its marker routes its review) and the same shared file. Whichever merges
        // second conflicts, goes back to its Coder with the conflicting hunks, and resolves them keeping both lines; so
        // both are scripted for a conflict round, and one of them will not need it.
        var models = new Dictionary<string, LlmScenario>();
        foreach (var key in new[] { "a", "b" })
        {
            var feature = models[key] = scenario.FeatureModel(key);
            feature.Coder.Enqueue(
                Reply.ToolCall("write_file", new { path = scenario.FeatureFile(key), content = $"feature {key}\n" }).WithUsage(100, 20),
                Reply.ToolCall("write_file", new { path = "shared.txt", content = $"line from {key}\n" }).WithUsage(100, 20),
                Reply.ToolCall("finish", new { summary = $"Feature {key}." }).WithUsage(100, 10),
                Reply.ToolCall("write_file", new { path = "shared.txt", content = "line from a\nline from b\n" }).WithUsage(100, 20),
                Reply.ToolCall("finish", new { summary = "Kept both lines." }).WithUsage(100, 10));
            feature.Reviewer.Enqueue(Scripts.Approve(), Scripts.Approve("The merge keeps both changes."));
        }

        var projectId = await StartAsync(scenario, "Two features, one shared file");
        var done = await WaitForProjectEndAsync(projectId, scenario);

        Assert.Equal(ProjectStatus.Completed, done.Project.Status);
        Assert.Equal("line from a\nline from b", await scenario.ShowAsync("main", "shared.txt"));
        Assert.Equal("feature a", await scenario.ShowAsync("main", scenario.FeatureFile("a")));
        Assert.Equal("feature b", await scenario.ShowAsync("main", scenario.FeatureFile("b")));
        var jobs = new List<JobStatusReply>();
        foreach (var feature in done.Features)
        {
            jobs.Add(await Client.Queries.JobStatusAsync(feature.JobId!));
        }

        var second = Assert.Single(jobs, j => j.Job.Iteration == 2);
        var first = Assert.Single(jobs, j => j.Job.Iteration == 1);
        var round = second.Timeline.Where(e => e.Type == JobEventTypes.JobTransition).Select(e => e.Message).ToList();
        Assert.True(round.Any(m => m.StartsWith("MERGING → IMPLEMENTING: merge conflict: pull request #", StringComparison.Ordinal)
            && m.Contains("the Coder brings main into its branch and resolves the conflict (conflict round 1 of 2)", StringComparison.Ordinal)),
            string.Join("\n", round));
        Assert.Equal(2, second.Timeline.Count(e => e.Type == JobEventTypes.ReviewPosted));
        Assert.True(second.Job.CompletedAt > first.Job.CompletedAt);

        // The Coder of the second saw the conflicting hunks: its conflict round's first request (after the three of
        // iteration 1) holds both sides between the markers.
        var secondKey = done.Features.Single(f => f.JobId == second.Job.JobId).Key;
        var prompt = System.Text.RegularExpressions.Regex.Unescape(models[secondKey].Coder.Requests[3].Body);
        Assert.Contains("resolve the merge conflicts", prompt);
        Assert.Contains("these files conflict: shared.txt", prompt);
        Assert.Contains("<<<<<<< ", prompt);
        Assert.Contains("line from a", prompt);
        Assert.Contains("line from b", prompt);
        Assert.Equal(3, models[secondKey == "a" ? "b" : "a"].Coder.Requests.Count);
        Assert.True(await scenario.IsAncestorAsync(first.Job.MergeCommitSha!, second.Job.MergeCommitSha!));
    }

    [Fact]
    public async Task Stop_project_stops_the_running_job_and_cancels_what_waits()
    {
        await using var scenario = await Scenario.StartAsync(Fixture);
        scenario.Llm.Planner.Enqueue(Scripts.Plan(
            ("a", $"Feature A [{scenario.Marker}-a]", []),
            ("b", $"Feature B [{scenario.Marker}-b]", ["a"])));
        var gate = new FakeGate();
        scenario.FeatureModel("a").Coder.Enqueue([gate, .. Scripts.WriteFileAndFinish(scenario.FeatureFile("a"), "feature a\n")]);
        scenario.FeatureModel("b");

        var projectId = await StartAsync(scenario, "Stopped half way");
        await gate.WhenReachedAsync(SystemClient.DefaultPatience);
        var stopped = await CliRunner.RunAsAsync(Fixture, NatsUsers.Operator, "stop-project", projectId, "--reason", "changed my mind");
        gate.Release();

        Assert.True(stopped.ExitCode == ExitCodes.Ok, stopped.Stdout + stopped.Stderr);
        Assert.Contains($"Project {projectId} is now CANCELLED; stopped 1 running job(s): {projectId}-1", stopped.Stdout);
        var done = await Eventually.ReturnsAsync(_ => Client.Queries.ProjectStatusAsync(projectId),
            s => s.Features.All(f => f.Status is not (FeatureStatus.Running or FeatureStatus.Waiting)), SystemClient.DefaultPatience,
            "the stopped project's features to settle");
        Assert.Equal(ProjectStatus.Cancelled, done.Project.Status);
        Assert.Equal([FeatureStatus.Cancelled, FeatureStatus.Cancelled], done.Features.Select(f => f.Status));
        Assert.Equal(JobStatus.Cancelled, (await Client.Jobs.GetAsync($"{projectId}-1"))!.Status);
        Assert.Contains("changed my mind", done.Project.Error);
    }

    private async Task<string> StartAsync(Scenario scenario, string title)
    {
        var projectId = "proj-" + Guid.NewGuid().ToString("N")[..12];
        var request = new ProjectRequest(projectId, scenario.Repository, $"{title} [{scenario.Marker}]", DateTimeOffset.UtcNow, RequirePlanApproval: false);
        await Client.PublishAsync(MessageSerializer.Wrap(request, AgentType.RepoManager, projectId, id: projectId));
        return projectId;
    }

    private async Task<ProjectStatusReply> WaitForProjectEndAsync(string projectId, Scenario scenario)
    {
        try
        {
            return await Eventually.ReturnsAsync(
                async _ =>
                {
                    try
                    {
                        return await Client.Queries.ProjectStatusAsync(projectId);
                    }
                    catch (MultiAgent.Messaging.QueryException)
                    {
                        return null;
                    }
                },
                s => s is { Project.Status: ProjectStatus.Completed or ProjectStatus.Partial or ProjectStatus.Failed or ProjectStatus.Cancelled }
                     && s.Timeline.Any(e => e.Type == ProjectEventTypes.Ended),
                TimeSpan.FromSeconds(120), $"project {projectId} to end") ?? throw new InvalidOperationException("no project");
        }
        catch (Exception ex) when (ex is not InvalidOperationException)
        {
            var status = await Client.Queries.ProjectStatusAsync(projectId);
            throw new Xunit.Sdk.XunitException(
                $"{ex.Message}\nproject {status.Project.Status}: {status.Project.Error}\n"
                + string.Join("\n", status.Features.Select(f => $"  {f.Key} {f.Status} {f.JobId} {f.Job?.Status} {f.Reason}"))
                + "\n" + string.Join("\n", status.Timeline.Select(e => $"  {e.Type}: {e.Message}")) + "\n" + scenario.Describe());
        }
    }

    private static List<JobEvent> Events(string ndjson) =>
        [.. ndjson.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => MessageSerializer.DeserializeMessage<JobEvent>(System.Text.Encoding.UTF8.GetBytes(line)))];

    private static string ProjectIdIn(string output) =>
        System.Text.RegularExpressions.Regex.Match(output, @"proj-[0-9a-f]{12}").Value is { Length: > 0 } id ? id : throw new Xunit.Sdk.XunitException("no project id in: " + output);

    private static int PullRequestNumber(string url) => int.Parse(url[(url.LastIndexOf('/') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
}
