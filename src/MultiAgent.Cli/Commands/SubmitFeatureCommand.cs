using System.CommandLine;
using MultiAgent.Cli.Output;
using MultiAgent.Contracts;

namespace MultiAgent.Cli.Commands;

/// <summary>
/// <c>submit-feature --repo --title --description [--requirements a,b,c] [--priority low|normal|high|critical]
/// [--max-iterations N] [--require-approval] [--budget tokens:N,cost:X] [--branch main]</c>
/// </summary>
internal static class SubmitFeatureCommand
{
    public static Command Create(CliContext cli)
    {
        var repo = FeatureSubmission.RepositoryOption();
        var title = new Option<string>("--title")
        {
            Description = "Short title (used for the pull request)",
            HelpName = "text",
            Required = true,
        };
        var description = new Option<string>("--description")
        {
            Description = "What to build",
            HelpName = "text",
            Required = true,
        };
        var requirements = new Option<string[]>("--requirements")
        {
            Description = "Acceptance criteria, separated by ',' (the option may be repeated)",
            HelpName = "a,b,c",
        };
        var priority = new Option<string>("--priority")
        {
            Description = "Scheduling priority",
            DefaultValueFactory = _ => "normal",
        };
        priority.AcceptOnlyFromAmong("low", "normal", "high", "critical");
        var maxIterations = new Option<int>("--max-iterations")
        {
            Description = $"Implement/review rounds before the job fails ({FeatureSubmission.MinIterations} to {FeatureSubmission.MaxIterations})",
            HelpName = "N",
            DefaultValueFactory = _ => 3,
        };
        var requireApproval = new Option<bool>("--require-approval")
        {
            Description = "Wait for a human to approve before merging",
        };
        var budget = FeatureSubmission.BudgetOption();
        var branch = FeatureSubmission.BranchOption();
        var project = new Option<string?>("--project")
        {
            Description = "Attach the job to this project (proj-…): project-status lists it with the project's features",
            HelpName = "project-id",
        };
        var json = CliContext.JsonOption();

        var command = new Command("submit-feature", "Submit a feature request with a title, a description and acceptance criteria; prints the job id")
        {
            repo, title, description, requirements, priority, maxIterations, requireApproval, budget, branch, project, json,
        };
        command.SetAction((parseResult, cancellationToken) => cli.RunAsync(ct =>
        {
            // Everything is checked before anything is sent.
            var repository = FeatureSubmission.Repository(parseResult.GetValue(repo));
            var titleText = parseResult.GetValue(title)?.Trim();
            if (string.IsNullOrEmpty(titleText))
            {
                throw CliException.Usage("--title is empty");
            }

            var descriptionText = parseResult.GetValue(description)?.Trim();
            if (string.IsNullOrEmpty(descriptionText))
            {
                throw CliException.Usage("--description is empty: say what to build");
            }

            var given = parseResult.GetValue(requirements);
            var items = FeatureSubmission.SplitRequirements(given ?? [], commas: true);
            if (given is { Length: > 0 } && items.Count == 0)
            {
                throw CliException.Usage("--requirements is empty: leave it out or list at least one requirement");
            }

            var iterations = parseResult.GetValue(maxIterations);
            FeatureSubmission.CheckIterations(iterations);
            if (!Wire.TryParse<TaskPriority>(parseResult.GetValue(priority) ?? "normal", out var taskPriority))
            {
                throw CliException.Usage("--priority must be low, normal, high or critical");
            }

            var baseBranch = FeatureSubmission.Branch(parseResult.GetValue(branch));
            var jobBudget = FeatureSubmission.Budget(parseResult.GetValue(budget));
            var projectId = parseResult.GetValue(project) is { } projectText ? ProjectIdArgument.Check(projectText, "--project") : null;

            var settings = cli.Settings(parseResult);
            FeatureSubmission.CheckLocalRoots(repository, settings);
            var jobId = FeatureSubmission.NewJobId();
            var request = new FeatureRequest(
                jobId,
                repository,
                titleText,
                DateTimeOffset.UtcNow,
                Description: descriptionText,
                Requirements: items,
                BaseBranch: baseBranch,
                Priority: taskPriority,
                MaxIterations: iterations,
                RequireApproval: parseResult.GetValue(requireApproval),
                RequestedBy: FeatureSubmission.RequestedBy(cli.Environment),
                Budget: jobBudget,
                ProjectId: projectId);
            return FeatureSubmission.SubmitAsync(cli, settings, request, parseResult.GetValue(json), ct);
        }, cancellationToken));
        return command;
    }
}
