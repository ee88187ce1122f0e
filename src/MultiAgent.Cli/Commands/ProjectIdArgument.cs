using System.CommandLine;
using MultiAgent.Contracts;

namespace MultiAgent.Cli.Commands;

/// <summary>The &lt;project-id&gt; argument of project-status, approve-plan and stop-project.</summary>
internal static class ProjectIdArgument
{
    public static Argument<string> Create() => new("project-id") { Description = "The project's id, as start-project printed it (proj-…)" };

    /// <summary>The project id, checked before anything is sent.</summary>
    /// <exception cref="CliException">Not a possible project id (a usage error).</exception>
    public static string Get(ParseResult parseResult, Argument<string> argument) => Check(parseResult.GetValue(argument), "project id");

    /// <exception cref="CliException">Not a possible project id (a usage error).</exception>
    public static string Check(string? value, string what)
    {
        var id = value?.Trim();
        return Subjects.IsValidToken(id)
            ? id!
            : throw CliException.Usage($"{what} '{id}' is not a project id: it must be non-empty, without '.', '*', '>' or spaces");
    }

    /// <summary>Whether an id is a project's (as start-project makes them), not a job's.</summary>
    public static bool IsProjectId(string id) => id.StartsWith("proj-", StringComparison.Ordinal) && !ProjectJob(id);

    // A feature's job is "<project>-<n>": a job, though it starts with "proj-".
    private static bool ProjectJob(string id) => id.Count(c => c == '-') > 1;
}
