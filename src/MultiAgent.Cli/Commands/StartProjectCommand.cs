using System.CommandLine;
using MultiAgent.Contracts;

namespace MultiAgent.Cli.Commands;

/// <summary><c>start-project --repo &lt;url|path&gt; --requirements &lt;text&gt; [--branch main]</c></summary>
internal static class StartProjectCommand
{
    public static Command Create(CliContext cli)
    {
        var repo = new Option<string>("--repo")
        {
            Description = "Repository: https://github.com/owner/repo, git@github.com:owner/repo.git, a local path or file:// URL",
            HelpName = "url|path",
            Required = true,
        };
        var requirements = new Option<string>("--requirements")
        {
            Description = "What to build, one requirement per line or separated by ';'. The first line becomes the title",
            HelpName = "text",
            Required = true,
        };
        var branch = new Option<string>("--branch")
        {
            Description = "Branch to start from and merge into",
            HelpName = "name",
            DefaultValueFactory = _ => "main",
        };
        var json = CliContext.JsonOption();

        var command = new Command("start-project", "Start a job from a repository and a list of requirements; prints the job id")
        {
            repo, requirements, branch, json,
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

            var baseBranch = parseResult.GetValue(branch);
            if (string.IsNullOrWhiteSpace(baseBranch))
            {
                throw CliException.Usage("--branch is empty");
            }

            var settings = cli.Settings(parseResult);
            var jobId = FeatureSubmission.NewJobId();
            var request = new FeatureRequest(
                jobId,
                repository,
                FeatureSubmission.TitleFrom(text),
                DateTimeOffset.UtcNow,
                Description: text.Trim(),
                Requirements: items,
                BaseBranch: baseBranch.Trim(),
                RequestedBy: FeatureSubmission.RequestedBy(cli.Environment));
            return FeatureSubmission.SubmitAsync(cli, settings, request, parseResult.GetValue(json), ct);
        }, cancellationToken));
        return command;
    }
}
