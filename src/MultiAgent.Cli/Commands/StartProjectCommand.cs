using System.CommandLine;
using MultiAgent.Cli.Output;
using MultiAgent.Contracts;
using Spectre.Console;

namespace MultiAgent.Cli.Commands;

/// <summary>
/// <c>start-project --repo &lt;url|path&gt; (--requirements &lt;text&gt; | --requirements-file &lt;path&gt;) [--plan-only | --auto]
/// [--budget tokens:N,cost:X] [--branch main] [--max-iterations N] [--require-approval] [--json]</c>: the Repo Manager
/// plans the requirements into features and runs them in dependency order, one job each.
/// </summary>
internal static class StartProjectCommand
{
    /// <summary>How long --plan-only waits for the plan.</summary>
    public static readonly TimeSpan PlanWait = TimeSpan.FromMinutes(10);

    /// <summary>How often --plan-only asks whether the plan is there.</summary>
    public static readonly TimeSpan PlanPoll = TimeSpan.FromMilliseconds(500);

    /// <summary>The most requirements text a project takes (the request must fit one message).</summary>
    public const int MaxRequirementsBytes = 256 * 1024;

    public static Command Create(CliContext cli)
    {
        var repo = FeatureSubmission.RepositoryOption();
        var requirements = new Option<string?>("--requirements")
        {
            Description = "What to build, as text (or use --requirements-file)",
            HelpName = "text",
        };
        var requirementsFile = new Option<FileInfo?>("--requirements-file")
        {
            Description = "What to build, from a text or Markdown file",
            HelpName = "path",
        };
        var planOnly = new Option<bool>("--plan-only")
        {
            Description = "Stop after planning: wait for the plan, print it, and leave the project PLANNED until approve-plan",
        };
        var auto = new Option<bool>("--auto")
        {
            Description = "Start the features as soon as the plan is made, without approve-plan (whatever MultiAgent:Projects:RequirePlanApproval says)",
        };
        var maxIterations = new Option<int>("--max-iterations")
        {
            Description = $"Each feature job's implement/review rounds ({FeatureSubmission.MinIterations} to {FeatureSubmission.MaxIterations})",
            HelpName = "N",
            DefaultValueFactory = _ => 3,
        };
        var requireApproval = new Option<bool>("--require-approval")
        {
            Description = "Each feature job waits for a human to approve before merging",
        };
        var budget = FeatureSubmission.BudgetOption();
        budget.Description = "What the whole project's model calls (planning and every job) may use: tokens:N and/or cost:X; default: MultiAgent:Projects:TokenBudget / CostBudget";
        var branch = FeatureSubmission.BranchOption();
        var json = CliContext.JsonOption();

        var command = new Command("start-project",
            "Plan requirements into features (the Repo Manager's model) and run them in dependency order, one job each; prints the project id")
        {
            repo, requirements, requirementsFile, planOnly, auto, maxIterations, requireApproval, budget, branch, json,
        };
        command.SetAction((parseResult, cancellationToken) => cli.RunAsync(async ct =>
        {
            // Everything is checked before anything is sent.
            var repository = FeatureSubmission.Repository(parseResult.GetValue(repo));
            var text = Requirements(parseResult.GetValue(requirements), parseResult.GetValue(requirementsFile));
            var onlyPlan = parseResult.GetValue(planOnly);
            if (onlyPlan && parseResult.GetValue(auto))
            {
                throw CliException.Usage("--plan-only and --auto contradict each other: --plan-only waits for approve-plan, --auto does not");
            }

            var iterations = parseResult.GetValue(maxIterations);
            FeatureSubmission.CheckIterations(iterations);
            var baseBranch = FeatureSubmission.Branch(parseResult.GetValue(branch));
            var projectBudget = FeatureSubmission.Budget(parseResult.GetValue(budget));
            var settings = cli.Settings(parseResult);
            FeatureSubmission.CheckLocalRoots(repository, settings);

            var projectId = FeatureSubmission.NewProjectId();
            var request = new ProjectRequest(
                projectId, repository, text, DateTimeOffset.UtcNow, baseBranch,
                RequirePlanApproval: onlyPlan ? true : parseResult.GetValue(auto) ? false : null,
                MaxIterations: iterations,
                RequireApproval: parseResult.GetValue(requireApproval),
                RequestedBy: FeatureSubmission.RequestedBy(cli.Environment),
                Budget: projectBudget);
            var asJson = parseResult.GetValue(json);
            var (session, outcome) = await FeatureSubmission.PublishAsync(
                cli, settings, MessageSerializer.Wrap(request, AgentType.RepoManager, projectId, id: projectId), asJson, ct);
            await using (session)
            {
                if (!onlyPlan)
                {
                    if (asJson)
                    {
                        JsonOutput.Write(cli.Out.Writer, new ProjectStatusQuery(projectId));
                        return ExitCodes.Ok;
                    }

                    cli.Out.MarkupLine($"Submitted project [bold]{Markup.Escape(projectId)}[/] for {Markup.Escape(repository)}: the Repo Manager plans it now");
                    FeatureSubmission.WarnIfDuplicate(cli, outcome);
                    cli.Out.WriteLine($"Follow it with: multi-agent watch {projectId}   (or multi-agent project-status {projectId})");
                    return ExitCodes.Ok;
                }

                var planned = await cli.Out.SpinAsync($"Planning {projectId}…", asJson, () => WaitForPlanAsync(session, projectId, ct));
                if (asJson)
                {
                    JsonOutput.Write(cli.Out.Writer, planned);
                }
                else if (planned.Project.Status == ProjectStatus.Planned)
                {
                    cli.Out.MarkupLine($"Project [bold]{Markup.Escape(projectId)}[/] is planned:");
                    ProjectViews.Plan(cli.Out, planned.Features);
                    cli.Out.WriteLine($"Start it with: multi-agent approve-plan {projectId}   (or stop it with: multi-agent stop-project {projectId})");
                }
                else
                {
                    cli.Error.MarkupLine($"[red]error:[/] project {Markup.Escape(projectId)} is {Wire.Name(planned.Project.Status)}: {Markup.Escape(planned.Project.Error ?? "no reason recorded")}");
                }

                return planned.Project.Status == ProjectStatus.Planned ? ExitCodes.Ok : ExitCodes.Failure;
            }
        }, cancellationToken));
        return command;
    }

    /// <summary>The requirements from exactly one of the two options, not blank and not too large.</summary>
    private static string Requirements(string? text, FileInfo? file)
    {
        if (text is not null && file is not null)
        {
            throw CliException.Usage("give --requirements or --requirements-file, not both");
        }

        if (file is not null)
        {
            if (!file.Exists)
            {
                throw CliException.Usage($"--requirements-file '{file.FullName}' does not exist");
            }

            if (file.Length > MaxRequirementsBytes)
            {
                throw CliException.Usage($"--requirements-file '{file.FullName}' is {file.Length:N0} bytes; at most {MaxRequirementsBytes:N0}");
            }

            text = File.ReadAllText(file.FullName);
        }

        if (text is null)
        {
            throw CliException.Usage("say what to build: --requirements <text> or --requirements-file <path>");
        }

        if (!text.Any(char.IsLetterOrDigit))
        {
            throw CliException.Usage(file is null
                ? "--requirements is empty: say what to build"
                : $"--requirements-file '{file.FullName}' is empty: say what to build");
        }

        return text.Trim();
    }

    private static async Task<ProjectStatusReply> WaitForPlanAsync(Connection.NatsSession session, string projectId, CancellationToken ct)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(PlanWait);
        try
        {
            while (true)
            {
                try
                {
                    var reply = await session.Queries.ProjectStatusAsync(projectId, limit.Token);
                    if (reply.Project.Status != ProjectStatus.Planning)
                    {
                        return reply;
                    }
                }
                catch (Messaging.QueryException ex) when (ex.Error.Code == QueryErrorCodes.NotFound)
                {
                    // Not taken yet: the Repo Manager records the project when it takes the request.
                }

                await Task.Delay(PlanPoll, limit.Token);
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw CliException.Failed($"no plan for {projectId} within {PlanWait.TotalMinutes:0} minutes; it may still come: multi-agent project-status {projectId}");
        }
    }
}
