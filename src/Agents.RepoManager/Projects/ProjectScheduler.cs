using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using MultiAgent.Contracts;
using MultiAgent.Persistence;

namespace Agents.RepoManager.Projects;

/// <summary>What one step of a project does: the stored change, the features whose job requests are to be sent.</summary>
/// <param name="Step">Stored with the step (features, the project's state, timeline entries).</param>
/// <param name="Requests">Features that are RUNNING after the step but whose job does not exist yet: their requests are (re)sent.</param>
public sealed record ProjectDecision(ProjectStep Step, IReadOnlyList<FeatureRecord> Requests);

/// <summary>
/// Decides a project's next step from what is stored (pure: the same snapshot gives the same step, so a step repeated
/// after a crash changes nothing twice). A RUNNING feature whose job ended takes the job's outcome; a WAITING feature
/// that depends on one that did not merge is BLOCKED; WAITING features whose dependencies have all merged start, in plan
/// order, while fewer than <see cref="ProjectOptions.MaxParallelJobs"/> run; once nothing waits or runs, the project ends
/// COMPLETED (every feature merged), PARTIAL (some did) or FAILED (none did).
/// </summary>
public static class ProjectScheduler
{
    /// <summary>The job id of a project's feature: the project id and the feature's place in the plan.</summary>
    public static string JobIdOf(string projectId, int position) => string.Create(CultureInfo.InvariantCulture, $"{projectId}-{position + 1}");

    public static ProjectDecision Decide(ProjectSnapshot snapshot, int maxParallelJobs)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var project = snapshot.Project;
        var state = snapshot.Features.ToDictionary(f => f.Key, f => (f.Status, f.Reason), StringComparer.Ordinal);
        var changes = new List<FeatureChange>();
        var events = new List<NewJobEvent>();

        // Jobs that ended: their features take the outcome (whatever the project's state, so a stopped project's
        // features show how their jobs ended).
        foreach (var feature in snapshot.Features.Where(f => f.Status == FeatureStatus.Running && f.Job is { } job && job.Status.IsTerminal()))
        {
            var job = feature.Job!;
            var status = job.Status switch
            {
                JobStatus.Completed => FeatureStatus.Completed,
                JobStatus.Cancelled => FeatureStatus.Cancelled,
                _ => FeatureStatus.Failed,
            };
            var reason = status == FeatureStatus.Completed ? null : job.Error ?? "no reason recorded";
            state[feature.Key] = (status, reason);
            changes.Add(new FeatureChange(feature.Key, status, Reason: reason));
            events.Add(Event(ProjectEventTypes.FeatureEnded,
                $"feature '{feature.Key}' (job {job.Id}) {Wire(status)}" + (reason is null ? $": {feature.Title}" : $": {reason}"),
                new JsonObject { ["feature"] = feature.Key, ["jobId"] = job.Id, ["status"] = Wire(status) }));
        }

        if (project.Status != ProjectStatus.Running)
        {
            return new ProjectDecision(new ProjectStep(changes, Events: events), []);
        }

        // Blocked: a waiting feature that depends on one that will never merge (in plan order, until nothing changes,
        // so a chain a → b → c blocks c as well).
        var waiting = snapshot.Features.Where(f => f.Status == FeatureStatus.Waiting).ToList();
        for (var changed = true; changed;)
        {
            changed = false;
            foreach (var feature in waiting.Where(f => state[f.Key].Status == FeatureStatus.Waiting))
            {
                var failed = feature.DependsOn.FirstOrDefault(d => state.TryGetValue(d, out var s) && s.Status is FeatureStatus.Failed or FeatureStatus.Cancelled or FeatureStatus.Blocked);
                if (failed is null)
                {
                    continue;
                }

                var (status, why) = state[failed];
                var reason = status == FeatureStatus.Blocked
                    ? $"it depends on '{failed}', which was blocked"
                    : $"it depends on '{failed}', which {(status == FeatureStatus.Failed ? "failed" : "was stopped")}: {why}";
                Block(feature, reason);
                changed = true;
            }
        }

        // Over the project's budget: nothing more starts.
        if (project.Budget?.Exceeded(project.Tokens, "project") is { } overBudget)
        {
            foreach (var feature in waiting.Where(f => state[f.Key].Status == FeatureStatus.Waiting))
            {
                Block(feature, "project " + overBudget);
            }
        }

        // Start what may start.
        var running = state.Values.Count(s => s.Status == FeatureStatus.Running);
        // (A feature whose job does not exist yet was left alone above: it is still running.)
        var requests = snapshot.Features.Where(f => f.Status == FeatureStatus.Running && f.Job is null).ToList();
        foreach (var feature in waiting.Where(f => state[f.Key].Status == FeatureStatus.Waiting))
        {
            if (running >= Math.Max(1, maxParallelJobs))
            {
                break;
            }

            if (!feature.DependsOn.All(d => state.TryGetValue(d, out var s) && s.Status == FeatureStatus.Completed))
            {
                continue;
            }

            var jobId = JobIdOf(project.Id, feature.Position);
            state[feature.Key] = (FeatureStatus.Running, null);
            changes.Add(new FeatureChange(feature.Key, FeatureStatus.Running, jobId));
            requests.Add(feature with { Status = FeatureStatus.Running, JobId = jobId });
            running++;
            var after = feature.DependsOn.Count == 0 ? "" : $" (after {string.Join(", ", feature.DependsOn.Select(d => $"'{d}'"))} merged)";
            events.Add(Event(ProjectEventTypes.FeatureStarted, $"feature '{feature.Key}' started as job {jobId}{after}: {feature.Title}",
                new JsonObject { ["feature"] = feature.Key, ["jobId"] = jobId }));
        }

        // The end: nothing waits and nothing runs.
        ProjectStatus? end = null;
        string? error = null;
        if (state.Values.All(s => s.Status.IsTerminal()))
        {
            var completed = state.Values.Count(s => s.Status == FeatureStatus.Completed);
            end = completed == state.Count ? ProjectStatus.Completed : completed > 0 ? ProjectStatus.Partial : ProjectStatus.Failed;
            var notMerged = snapshot.Features.Where(f => state[f.Key].Status != FeatureStatus.Completed)
                .Select(f => $"'{f.Key}' {Wire(state[f.Key].Status)}: {state[f.Key].Reason}").ToList();
            error = notMerged.Count == 0 ? null : string.Join("; ", notMerged);
            events.Add(Ended(end.Value, completed, state.Count,
                string.Create(CultureInfo.InvariantCulture, $"project {Wire(end.Value)}: {completed} of {state.Count} feature(s) merged") + (error is null ? "" : $"; {error}")));
        }

        return new ProjectDecision(new ProjectStep(changes, end, error, events), requests);

        void Block(FeatureRecord feature, string reason)
        {
            state[feature.Key] = (FeatureStatus.Blocked, reason);
            changes.Add(new FeatureChange(feature.Key, FeatureStatus.Blocked, Reason: reason));
            events.Add(Event(ProjectEventTypes.FeatureBlocked, $"feature '{feature.Key}' blocked: {reason}",
                new JsonObject { ["feature"] = feature.Key, ["reason"] = reason }));
        }
    }

    /// <summary>
    /// Stopping: the project CANCELLED, its waiting features CANCELLED; its running features' jobs are stopped by the
    /// caller (<see cref="RunningJobs"/>) and take that outcome in a later step. Nothing for a project that has ended.
    /// </summary>
    public static ProjectStep Stop(ProjectSnapshot snapshot, string reason)
    {
        if (snapshot.Project.Status.IsTerminal())
        {
            return ProjectStep.None;
        }

        var changes = snapshot.Features.Where(f => f.Status == FeatureStatus.Waiting)
            .Select(f => new FeatureChange(f.Key, FeatureStatus.Cancelled, Reason: $"the project was stopped: {reason}")).ToList();
        var merged = snapshot.Features.Count(f => f.Status == FeatureStatus.Completed);
        return new ProjectStep(changes, ProjectStatus.Cancelled, $"stopped: {reason}",
        [
            Ended(ProjectStatus.Cancelled, merged, snapshot.Features.Count,
                string.Create(CultureInfo.InvariantCulture, $"project CANCELLED: {reason} ({merged} of {snapshot.Features.Count} feature(s) had merged)")),
        ]);
    }

    /// <summary>The jobs of the features that run now (what a stop must stop).</summary>
    public static IReadOnlyList<string> RunningJobs(ProjectSnapshot snapshot) =>
        [.. snapshot.Features.Where(f => f.Status == FeatureStatus.Running && f.JobId is not null).Select(f => f.JobId!)];

    /// <summary>The <c>project.ended</c> entry: how it ended, and how many of its features merged.</summary>
    public static NewJobEvent Ended(ProjectStatus status, int completed, int features, string message) =>
        Event(ProjectEventTypes.Ended, message, new JsonObject { ["status"] = Wire(status), ["completed"] = completed, ["features"] = features });

    /// <summary>A timeline entry of the project.</summary>
    public static NewJobEvent Event(string type, string message, JsonObject? data = null) =>
        new(type, message, data is null ? null : JsonDocument.Parse(data.ToJsonString()).RootElement.Clone(), AgentType: AgentType.RepoManager);

    private static string Wire<T>(T value) where T : struct, Enum => WireName<T>.Of(value);
}
