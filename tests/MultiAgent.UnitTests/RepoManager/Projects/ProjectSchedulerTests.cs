using Agents.RepoManager.Projects;
using MultiAgent.Contracts;
using MultiAgent.Persistence;

namespace MultiAgent.UnitTests.RepoManager.Projects;

public sealed class ProjectSchedulerTests
{
    private const string ProjectId = "proj-1";

    [Fact]
    public void Independent_features_start_in_plan_order_up_to_the_parallel_limit_and_dependants_wait()
    {
        var snapshot = Snapshot(Feature("a", 0), Feature("b", 1, dependsOn: ["a"]), Feature("c", 2), Feature("d", 3));

        var decision = ProjectScheduler.Decide(snapshot, maxParallelJobs: 2);

        Assert.Equal([("a", "proj-1-1"), ("c", "proj-1-3")], decision.Step.Features.Select(c => (c.Key, c.JobId!)));
        Assert.All(decision.Step.Features, c => Assert.Equal(FeatureStatus.Running, c.Status));
        Assert.Equal(["a", "c"], decision.Requests.Select(f => f.Key));
        Assert.Null(decision.Step.Status);
        Assert.All(decision.Step.Events, e => Assert.Equal(ProjectEventTypes.FeatureStarted, e.Type));
    }

    [Fact]
    public void A_dependant_starts_once_its_dependency_merged()
    {
        var snapshot = Snapshot(
            Feature("a", 0, FeatureStatus.Running, job: Job("proj-1-1", JobStatus.Completed)),
            Feature("b", 1, dependsOn: ["a"]));

        var decision = ProjectScheduler.Decide(snapshot, maxParallelJobs: 1);

        Assert.Equal([("a", FeatureStatus.Completed), ("b", FeatureStatus.Running)], decision.Step.Features.Select(c => (c.Key, c.Status)));
        Assert.Equal(["b"], decision.Requests.Select(f => f.Key));
    }

    [Fact]
    public void A_failed_feature_blocks_its_dependants_down_the_chain_and_the_project_ends_partial()
    {
        var snapshot = Snapshot(
            Feature("a", 0, FeatureStatus.Running, job: Job("proj-1-1", JobStatus.Failed, "the Coder could not complete iteration 1")),
            Feature("b", 1, dependsOn: ["a"]),
            Feature("c", 2, dependsOn: ["b"]),
            Feature("d", 3, FeatureStatus.Completed));

        var step = ProjectScheduler.Decide(snapshot, maxParallelJobs: 2).Step;

        Assert.Equal(ProjectStatus.Partial, step.Status);
        var b = step.Features.Single(c => c.Key == "b");
        Assert.Equal(FeatureStatus.Blocked, b.Status);
        Assert.Equal("it depends on 'a', which failed: the Coder could not complete iteration 1", b.Reason);
        Assert.Equal("it depends on 'b', which was blocked", step.Features.Single(c => c.Key == "c").Reason);
        Assert.Contains("'a' FAILED: the Coder could not complete iteration 1", step.Error);
        Assert.Equal(ProjectEventTypes.Ended, step.Events[^1].Type);
        Assert.StartsWith("project PARTIAL: 1 of 4 feature(s) merged", step.Events[^1].Message);
    }

    [Theory]
    [InlineData(JobStatus.Completed, JobStatus.Completed, ProjectStatus.Completed)]
    [InlineData(JobStatus.Failed, JobStatus.Cancelled, ProjectStatus.Failed)]
    public void The_project_ends_when_nothing_waits_or_runs(JobStatus first, JobStatus second, ProjectStatus expected)
    {
        var snapshot = Snapshot(
            Feature("a", 0, FeatureStatus.Running, job: Job("proj-1-1", first)),
            Feature("b", 1, FeatureStatus.Running, job: Job("proj-1-2", second)));

        Assert.Equal(expected, ProjectScheduler.Decide(snapshot, 2).Step.Status);
    }

    [Fact]
    public void Nothing_starts_while_the_limit_is_taken_and_a_running_feature_without_its_job_yet_is_requested_again()
    {
        var snapshot = Snapshot(Feature("a", 0, FeatureStatus.Running, jobId: "proj-1-1"), Feature("b", 1));

        var decision = ProjectScheduler.Decide(snapshot, maxParallelJobs: 1);

        Assert.True(decision.Step.IsEmpty);
        Assert.Equal(["a"], decision.Requests.Select(f => f.Key));
    }

    [Fact]
    public void Once_the_project_budget_is_used_up_no_feature_starts()
    {
        var snapshot = Snapshot(Feature("a", 0)) with
        {
            Project = Project() with { Budget = new JobBudget(Tokens: 1_000), Tokens = new TokenUsage(900, 100) },
        };

        var step = ProjectScheduler.Decide(snapshot, 2).Step;

        Assert.Equal(FeatureStatus.Blocked, step.Features.Single().Status);
        Assert.Equal("project budget exceeded: the project has used 1,000 tokens of its budget of 1,000", step.Features.Single().Reason);
        Assert.Equal(ProjectStatus.Failed, step.Status);
    }

    [Fact]
    public void A_project_that_is_not_running_starts_nothing_but_its_features_take_their_jobs_outcome()
    {
        var snapshot = Snapshot(Feature("a", 0, FeatureStatus.Running, job: Job("proj-1-1", JobStatus.Cancelled, "stopped")), Feature("b", 1)) with
        {
            Project = Project() with { Status = ProjectStatus.Cancelled },
        };

        var step = ProjectScheduler.Decide(snapshot, 2).Step;

        Assert.Equal([("a", FeatureStatus.Cancelled)], step.Features.Select(c => (c.Key, c.Status)));
        Assert.Null(step.Status);
    }

    [Fact]
    public void Stopping_cancels_what_waits_and_names_the_running_jobs()
    {
        var snapshot = Snapshot(Feature("a", 0, FeatureStatus.Running, jobId: "proj-1-1"), Feature("b", 1, dependsOn: ["a"]), Feature("c", 2, FeatureStatus.Completed));

        var step = ProjectScheduler.Stop(snapshot, "not needed");

        Assert.Equal(ProjectStatus.Cancelled, step.Status);
        Assert.Equal([("b", FeatureStatus.Cancelled)], step.Features.Select(c => (c.Key, c.Status)));
        Assert.Equal(["proj-1-1"], ProjectScheduler.RunningJobs(snapshot));
        Assert.True(ProjectScheduler.Stop(snapshot with { Project = Project() with { Status = ProjectStatus.Completed } }, "x").IsEmpty);
    }

    private static ProjectRecord Project() => new()
    {
        Id = ProjectId, Repository = "/repos/r", Title = "t", Requirements = "r", Status = ProjectStatus.Running,
    };

    private static ProjectSnapshot Snapshot(params FeatureRecord[] features) => new(Project(), features);

    private static FeatureRecord Feature(
        string key, int position, FeatureStatus status = FeatureStatus.Waiting, string[]? dependsOn = null, JobRecord? job = null, string? jobId = null) =>
        new(key, position, key.ToUpperInvariant(), "", [], dependsOn ?? [], status, job?.Id ?? jobId, null, job);

    private static JobRecord Job(string id, JobStatus status, string? error = null) => new()
    {
        Id = id, Repository = "/repos/r", Title = "t", Status = status, Error = error,
    };
}
