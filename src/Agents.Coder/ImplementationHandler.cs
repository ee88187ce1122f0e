using System.Globalization;
using System.Text;
using Agents.Coder.Loop;
using Agents.Coder.Safety;
using Agents.Coder.Sandbox;
using Agents.Coder.Tools;
using Microsoft.Extensions.Options;
using MultiAgent.AgentRuntime.Tasks;
using MultiAgent.Contracts;
using MultiAgent.Llm;
using MultiAgent.Repositories;
using MultiAgent.Repositories.Workspaces;
using MultiAgent.Secrets;

namespace Agents.Coder;

/// <summary>
/// The Coder's work for one <see cref="ImplementationRequest"/>: a workspace on the job's branch, the tool loop, then
/// commit, push, pull request, a final run of the check, and an <see cref="ImplementationResult"/> for the Repo Manager.
/// </summary>
/// <remarks>
/// The branch is <see cref="BranchFor"/> in the first iteration and the same in every later one, so a later iteration continues the earlier
/// commits and updates the same pull request. A session that ends at a limit, or changes nothing, fails the task (not
/// retryable: another attempt would likely do the same); host failures are retryable when the host says so.
/// </remarks>
public sealed class ImplementationHandler(
    RepositoryHostResolver hosts,
    WorkspaceManager workspaces,
    ITaskModelProvider models,
    IOptions<CoderOptions> options,
    CheckSandbox sandbox,
    TimeProvider? time = null,
    SecretRedactor? redactor = null)
    : ITaskHandler<ImplementationRequest>
{
    private readonly CoderOptions _options = options.Value;

    /// <summary>
    /// The job's branch: the prefix and the job id, which the CLI makes as <c>job-…</c> (<c>agent/job-1a2b3c4d5e6f</c>);
    /// an id that does not start so gets <c>job-</c> in front (<c>agent/job-proj-3f9c0a1b2c4d-2</c>).
    /// </summary>
    public string BranchFor(string jobId) =>
        workspaces.Options.BranchPrefix + (jobId.StartsWith("job-", StringComparison.Ordinal) ? jobId : "job-" + jobId);

    public async Task<TaskResult> HandleAsync(TaskContext context, ImplementationRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(request);
        try
        {
            return await ImplementAsync(context, request, cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            var reason = $"the model call failed: {ex.Message}";
            throw FailureClassifier.Classify(ex) == FailureKind.Retryable
                ? new RetryableTaskException(reason, ex)
                : new NonRetryableTaskException(reason, ex);
        }
    }

    private async Task<TaskResult> ImplementAsync(TaskContext context, ImplementationRequest request, CancellationToken ct)
    {
        var repository = RepositoryReference.Parse(request.Repository);
        var host = hosts.For(repository);
        var source = await host.GetCloneSourceAsync(repository, ct);
        // A later iteration continues on the branch the job already has (as named when the job started).
        var branch = request.ExistingBranch ?? BranchFor(request.JobId);
        await using var workspace = await workspaces.CreateAsync(repository, source, request.BaseBranch, branch, ct);

        // The check comes from the base branch (as the job branch left it), never from the branch the model writes to.
        var baseCheckFile = await workspace.ReadBaseFileAsync(CheckRunner.CheckFile, ct);
        var toolbox = new CodingToolbox(workspace.Path, baseCheckFile, _options, sandbox, redactor);

        // After a merge conflict: the base branch comes into the branch first; the model resolves what conflicts (a
        // clean merge needs no model at all).
        var merge = request.MergeBase ? await workspace.MergeBaseAsync(_options.MaxToolOutputChars, ct) : null;
        var conflict = merge is { ConflictedFiles.Count: > 0 } ? new MergeConflict(merge.ConflictedFiles, merge.Diff) : null;
        SessionOutcome outcome;
        if (request.MergeBase && conflict is null)
        {
            outcome = new SessionOutcome(true, merge is null
                ? $"{request.BaseBranch} was already merged into the branch."
                : $"Merged {request.BaseBranch} into the branch; it merged without conflicts.", null, TokenUsage.Zero, 0);
        }
        else
        {
            await using var model = models.Open(AgentType.Coder, context.TaskId, context.JobId, request.Budget, request.Spent);
            try
            {
                outcome = await new CodingSession(model.Client, toolbox, _options, time, model.RecordToolResult).RunAsync(request, ct, conflict);
                outcome = outcome with { Usage = model.Priced(outcome.Usage) };
            }
            finally
            {
                // Paid for even if the task fails from here on (a refused call, a failed check, a push that fails).
                context.Spent.Report(model.Used);
            }
        }

        if (!outcome.Finished)
        {
            throw new NonRetryableTaskException(outcome.FailureReason ?? "the session ended without finishing");
        }

        if (conflict is not null && await workspace.WithConflictMarkersAsync(conflict.Files, ct) is { Count: > 0 } unresolved)
        {
            throw new NonRetryableTaskException(
                $"the merge conflicts with {request.BaseBranch} are not resolved: conflict markers remain in {string.Join(", ", unresolved)}");
        }

        var check = await toolbox.Check.RunAsync(ct);
        var headSha = await workspace.CommitAllAsync(CommitMessage(request, outcome.Summary), ct)
            ?? await EarlierAttemptsCommitAsync(workspace, request, ct)
            ?? throw new NonRetryableTaskException("the model made no changes");
        await workspace.PushAsync(ct);
        var files = (await workspace.ChangedFilesAsync(ct)).Select(f => f.Path).ToList();
        var pullRequest = await host.CreateOrUpdatePullRequestAsync(
            repository, new PullRequestSpec(branch, request.BaseBranch, request.Title, PullRequestBody(request, outcome.Summary, check)), ct);
        await workspace.CompleteAsync(succeeded: true);

        var result = new ImplementationResult(
            request.JobId,
            request.TaskId,
            request.Iteration,
            Succeeded: true,
            Branch: branch,
            PullRequestNumber: pullRequest.Number,
            PullRequestUrl: pullRequest.Url,
            HeadSha: headSha,
            FilesChanged: files,
            Summary: outcome.Summary,
            Check: CheckRunner.OutcomeOf(check),
            CheckOutput: check is null ? null : TextLimits.HeadTail(check.Output, _options.MaxToolOutputChars),
            TokenUsage: outcome.Usage);
        var summary = string.Create(CultureInfo.InvariantCulture,
            $"pull request #{pullRequest.Number} on {branch} at {headSha[..Math.Min(12, headSha.Length)]}: {files.Count} file(s) changed, check {result.Check}, {outcome.Steps} step(s)");
        return new TaskResult(summary, outcome.Usage, [MessageSerializer.Wrap(result, AgentType.RepoManager, request.JobId)]);
    }

    private static string CommitMessage(ImplementationRequest request, string summary) =>
        $"{request.Title}\n\n{summary}\n\n{IterationTrailer(request)}\n";

    /// <summary>The last line of every commit the Coder makes: which job and iteration it belongs to.</summary>
    private static string IterationTrailer(ImplementationRequest request) =>
        string.Create(CultureInfo.InvariantCulture, $"Job {request.JobId}, iteration {request.Iteration}.");

    /// <summary>
    /// The branch's tip, when it is this very iteration's commit: an earlier attempt of the task committed and pushed
    /// it, then died (a crash, a lost database) before handing on the result, so the model found its work done. The
    /// attempt carries on from there (push and pull request are idempotent) instead of failing the job for "no
    /// changes". Null otherwise.
    /// </summary>
    private static async Task<string?> EarlierAttemptsCommitAsync(Workspace workspace, ImplementationRequest request, CancellationToken ct) =>
        await workspace.OwnHeadMessageAsync(ct) is { } message && message.TrimEnd().EndsWith(IterationTrailer(request), StringComparison.Ordinal)
            ? await workspace.HeadShaAsync(ct)
            : null;

    private string PullRequestBody(ImplementationRequest request, string summary, CommandResult? check)
    {
        var body = new StringBuilder();
        body.Append("## Summary\n\n").Append(summary).Append("\n\n");
        if (!string.IsNullOrWhiteSpace(request.Description))
        {
            body.Append("## Request\n\n").Append(request.Description.Trim()).Append("\n\n");
        }

        if (request.Requirements.Count > 0)
        {
            body.Append("## Requirements\n\n");
            foreach (var requirement in request.Requirements)
            {
                body.Append("- ").Append(requirement).Append('\n');
            }

            body.Append('\n');
        }

        body.Append("## Check\n\n");
        if (check is null)
        {
            body.Append("No check command is configured.\n");
        }
        else
        {
            body.Append("```\n").Append(TextLimits.HeadTail(CheckRunner.Describe(check), 4000).TrimEnd()).Append("\n```\n");
        }

        body.Append(CultureInfo.InvariantCulture, $"\nJob {request.JobId}, iteration {request.Iteration}. Opened by the MultiAgent Coder.\n");
        return body.ToString();
    }
}
