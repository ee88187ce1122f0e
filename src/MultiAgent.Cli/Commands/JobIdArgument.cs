using System.CommandLine;
using MultiAgent.Contracts;

namespace MultiAgent.Cli.Commands;

/// <summary>The &lt;job-id&gt; argument of job-status, stop-job, approve, reject and watch.</summary>
internal static class JobIdArgument
{
    public static Argument<string> Create() => new("job-id") { Description = "The job's id, as start-project or submit-feature printed it (job-…)" };

    /// <summary>The job id, checked before anything is sent.</summary>
    /// <exception cref="CliException">Not a possible job id (a usage error).</exception>
    public static string Get(ParseResult parseResult, Argument<string> argument)
    {
        var jobId = parseResult.GetValue(argument)?.Trim();
        return Subjects.IsValidToken(jobId)
            ? jobId!
            : throw CliException.Usage($"'{jobId}' is not a job id: it must be non-empty, without '.', '*', '>' or spaces");
    }
}
