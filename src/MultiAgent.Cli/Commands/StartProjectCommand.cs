using System.CommandLine;
using MultiAgent.Contracts;

namespace MultiAgent.Cli.Commands;

/// <summary><c>start-project --repo &lt;url|path&gt; --requirements &lt;text&gt; [--budget tokens:N,cost:X] [--branch main]</c></summary>
internal static class StartProjectCommand
{
    public static Command Create(CliContext cli)
    {
        var repo = FeatureSubmission.RepositoryOption();
        var requirements = new Option<string>("--requirements")
        {
            Description = "What to build, one requirement per line or separated by ';'. The first line becomes the title",
            HelpName = "text",
            Required = true,
        };
        var budget = FeatureSubmission.BudgetOption();
        var branch = FeatureSubmission.BranchOption();
        var json = CliContext.JsonOption();

        var command = new Command("start-project", "Start a job from a repository and a list of requirements; prints the job id")
        {
            repo, requirements, budget, branch, json,
        };
        command.SetAction((parseResult, cancellationToken) => cli.RunAsync(ct =>
        {
            // Everything is checked before anything is sent.
            var repository = FeatureSubmission.Repository(parseResult.GetValue(repo));
            var text = parseResult.GetValue(requirements) ?? "";
            var items = FeatureSubmission.SplitRequirements([text], commas: false);
            if (items.Count == 0)
            {
                throw CliException.Usage("--requirements is empty: say what to build");
            }

            var baseBranch = FeatureSubmission.Branch(parseResult.GetValue(branch));
            var jobBudget = FeatureSubmission.Budget(parseResult.GetValue(budget));

            var settings = cli.Settings(parseResult);
            FeatureSubmission.CheckLocalRoots(repository, settings);
            var jobId = FeatureSubmission.NewJobId();
            var request = new FeatureRequest(
                jobId,
                repository,
                FeatureSubmission.TitleFrom(text),
                DateTimeOffset.UtcNow,
                Description: text.Trim(),
                Requirements: items,
                BaseBranch: baseBranch,
                RequestedBy: FeatureSubmission.RequestedBy(cli.Environment),
                Budget: jobBudget);
            return FeatureSubmission.SubmitAsync(cli, settings, request, parseResult.GetValue(json), ct);
        }, cancellationToken));
        return command;
    }
}
