using System.CommandLine;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MultiAgent.Cli.Connection;
using MultiAgent.Cli.Output;
using MultiAgent.Contracts;
using MultiAgent.Messaging;
using MultiAgent.Repositories;
using MultiAgent.Repositories.Local;
using NATS.Client.JetStream;
using Spectre.Console;

namespace MultiAgent.Cli.Commands;

/// <summary>
/// What start-project and submit-feature share: input validation (before anything is sent), the job id, and
/// publishing the <see cref="FeatureRequest"/> to the Repo Manager.
/// </summary>
internal static class FeatureSubmission
{
    public const int MinIterations = 1;
    public const int MaxIterations = FeatureRequest.MaxIterationsLimit;

    /// <summary><c>--repo</c>, shared by the commands that submit work.</summary>
    public static Option<string> RepositoryOption() => new("--repo")
    {
        Description = "Repository: https://github.com/owner/repo, git@github.com:owner/repo.git, a local path or file:// URL",
        HelpName = "url|path",
        Required = true,
    };

    /// <summary><c>--branch</c> (default main), shared by the commands that submit work.</summary>
    public static Option<string> BudgetOption() => new("--budget")
    {
        Description = "What the job's model calls may use in all: tokens:N and/or cost:X (by the models' prices), e.g. tokens:200000,cost:2.5; default: the Repo Manager's MultiAgent:Workflow:JobTokenBudget / JobCostBudget",
        HelpName = "tokens:N,cost:X",
    };

    /// <summary>The <c>--budget</c> given, or null.</summary>
    /// <exception cref="CliException">It is not <c>tokens:N</c> and/or <c>cost:X</c> with positive numbers.</exception>
    public static JobBudget? Budget(string? input)
    {
        if (input is null)
        {
            return null;
        }

        try
        {
            return JobBudget.Parse(input);
        }
        catch (FormatException ex)
        {
            throw CliException.Usage($"--budget {ex.Message}");
        }
    }

    public static Option<string> BranchOption() => new("--branch")
    {
        Description = "Branch to start from and merge into",
        HelpName = "name",
        DefaultValueFactory = _ => "main",
    };

    /// <summary>
    /// The <c>--branch</c> value, trimmed, if git would take it as a branch name (the rules of
    /// <c>git check-ref-format --branch</c>): checked here so that a bad name is a usage error now, not a failed job later,
    /// and so that no name can pass for a git option (<c>--upload-pack=…</c>).
    /// </summary>
    /// <exception cref="CliException">Empty, or not a branch name (a usage error).</exception>
    public static string Branch(string? input)
    {
        var name = input?.Trim() ?? "";
        if (name.Length == 0)
        {
            throw CliException.Usage("--branch is empty");
        }

        var why = BranchName.WhyInvalid(name);
        return why is null
            ? name
            : throw CliException.Usage($"--branch '{name}' is not a valid git branch name: {why}");
    }

    /// <summary>A new project id: "proj-" and 12 hex digits.</summary>
    public static string NewProjectId() => "proj-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));

    /// <summary>A new job id: "job-" and 12 hex digits.</summary>
    public static string NewJobId() => "job-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));

    /// <summary>
    /// The repository as the system records it: <c>https://host/owner/repo</c> for GitHub (what
    /// <see cref="RepositoryReference.Parse"/> reads back to the same repository) or the absolute path for a local one.
    /// </summary>
    /// <exception cref="CliException">Not a repository reference (a usage error).</exception>
    public static string Repository(string? input)
    {
        if (string.IsNullOrWhiteSpace(input))
        {
            throw CliException.Usage("--repo is empty: give a repository URL (https://github.com/owner/repo) or a local path");
        }

        try
        {
            return Canonical(RepositoryReference.Parse(input));
        }
        catch (RepositoryHostException ex) when (ex.Kind == RepositoryErrorKind.InvalidReference)
        {
            throw CliException.Usage($"invalid repository: {ex.Message}");
        }
    }

    /// <summary>The canonical form of a repository filter, or the text as typed if it is not a reference.</summary>
    public static string RepositoryFilter(string input)
    {
        try
        {
            return Canonical(RepositoryReference.Parse(input));
        }
        catch (RepositoryHostException)
        {
            return input.Trim();
        }
    }

    /// <summary>
    /// Refuses a local repository outside the allowed roots the config file names (<c>localRepositoryRoots</c>, written
    /// by the AppHost), as the Repo Manager would, so nothing is sent; the same rule (<see cref="LocalRepositoryPolicy"/>).
    /// A path inside a root that does not exist here is let through (the system may be on another machine: the Repo
    /// Manager reports it). Without roots in the config file, and for GitHub repositories, nothing is checked.
    /// </summary>
    /// <exception cref="CliException">The path leads outside every root (a usage error).</exception>
    public static void CheckLocalRoots(string repository, NatsSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.Config.LocalRepositoryRoots is not { } roots
            || RepositoryReference.Parse(repository) is not { Kind: RepositoryHostKind.Local, LocalPath: { } path })
        {
            return;
        }

        var policy = new LocalRepositoryPolicy(roots);
        var check = policy.Check(path);
        if (!check.InsideRoot)
        {
            throw CliException.Usage(policy.Refusal(check));
        }
    }

    private static string Canonical(RepositoryReference reference) =>
        reference.Kind == RepositoryHostKind.GitHub ? $"https://{reference.Key}" : reference.Key;

    /// <summary>Splits requirements on new lines and ';' (and ',' when <paramref name="commas"/>), dropping blanks.</summary>
    public static List<string> SplitRequirements(IEnumerable<string> values, bool commas)
    {
        char[] separators = commas ? ['\n', '\r', ';', ','] : ['\n', '\r', ';'];
        return values
            .SelectMany(value => value.Split(separators, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Select(StripBullet)
            .Where(item => item.Length > 0)
            .ToList();
    }

    public static void CheckIterations(int maxIterations)
    {
        if (maxIterations is < MinIterations or > MaxIterations)
        {
            throw CliException.Usage($"--max-iterations must be between {MinIterations} and {MaxIterations} (was {maxIterations})");
        }
    }

    public static string? RequestedBy(IReadOnlyDictionary<string, string?> environment) =>
        environment.TryGetValue("USER", out var user) && !string.IsNullOrWhiteSpace(user) ? user : null;

    /// <summary>
    /// Checks the request's size, connects, makes sure the task stream exists, publishes the request to the Repo Manager,
    /// prints the job id.
    /// </summary>
    public static async Task<int> SubmitAsync(
        CliContext cli, NatsSettings settings, FeatureRequest request, bool json, CancellationToken cancellationToken)
    {
        var envelope = MessageSerializer.Wrap(request, AgentType.RepoManager, request.JobId, request.Priority);
        var (session, outcome) = await PublishAsync(cli, settings, envelope, json, cancellationToken);
        await session.DisposeAsync();
        if (json)
        {
            JsonOutput.WriteJobId(cli.Out.Writer, request.JobId);
            return ExitCodes.Ok;
        }

        cli.Out.MarkupLine($"Submitted job [bold]{Markup.Escape(request.JobId)}[/] for {Markup.Escape(request.Repository)}: {Markup.Escape(request.Title)}");
        WarnIfDuplicate(cli, outcome);
        cli.Out.WriteLine($"Follow it with: multi-agent watch {request.JobId}");
        return ExitCodes.Ok;
    }

    /// <summary>
    /// Checks the envelope's size (a usage error when too large: nothing is sent), connects, makes sure the task stream
    /// exists, publishes the envelope to the Repo Manager's queue. The session stays open for the caller.
    /// </summary>
    public static async Task<(NatsSession Session, PublishOutcome Outcome)> PublishAsync(
        CliContext cli, NatsSettings settings, TaskEnvelope envelope, bool json, CancellationToken cancellationToken)
    {
        var options = Options.Create(new TaskBusOptions());
        var size = MessageSerializer.Serialize(envelope).Length;
        if (size > options.Value.MaxPayloadBytes)
        {
            throw CliException.Usage($"the request is too large ({size:N0} bytes; at most {options.Value.MaxPayloadBytes:N0}): shorten the description or the requirements");
        }

        var session = await cli.ConnectAsync(settings, json, cancellationToken);
        var outcome = await cli.Out.SpinAsync("Submitting…", json, async () =>
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(settings.Timeout);
            try
            {
                await EnsureTopologyAsync(session.JetStream, options, timeout.Token);
                return await new TaskPublisher(session.JetStream, options).PublishAsync(envelope, timeout.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"JetStream at {settings.DisplayUrl} did not accept the request within {settings.Timeout.TotalSeconds:0.#}s");
            }
            catch (NatsJSApiException ex)
            {
                throw CliException.Failed($"JetStream at {settings.DisplayUrl} refused the request: {ex.Error.Description} ({ex.Error.Code})");
            }
        });
        return (session, outcome);
    }

    public static void WarnIfDuplicate(CliContext cli, PublishOutcome outcome)
    {
        if (outcome.IsDuplicate)
        {
            cli.Warn("the server already held this request (duplicate); it was not stored again");
        }
    }

    /// <summary>
    /// Creates the streams and consumers when the task stream does not exist yet (no agent has started so far), so that
    /// the request waits for the Repo Manager. An existing topology is left as the agents configured it: they may run with
    /// other task-bus settings than this CLI's defaults.
    /// </summary>
    private static async Task EnsureTopologyAsync(INatsJSContext js, IOptions<TaskBusOptions> options, CancellationToken cancellationToken)
    {
        try
        {
            await js.GetStreamAsync(Subjects.TasksStream, cancellationToken: cancellationToken);
        }
        catch (NatsJSApiException ex) when (ex.Error.Code == 404)
        {
            await new JetStreamTopology(js, options, NullLogger<JetStreamTopology>.Instance).EnsureAsync(cancellationToken);
        }
    }

    private static string StripBullet(string line)
    {
        var text = line.Trim();
        if (text.Length > 1 && text[0] is '-' or '*' or '•' && text[1] == ' ')
        {
            return text[2..].Trim();
        }

        return text;
    }
}
