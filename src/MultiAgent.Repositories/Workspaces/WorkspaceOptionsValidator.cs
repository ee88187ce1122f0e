using Microsoft.Extensions.Options;

namespace MultiAgent.Repositories.Workspaces;

/// <summary>Rejects <see cref="WorkspaceOptions"/> the manager cannot work with safely.</summary>
public sealed class WorkspaceOptionsValidator : IValidateOptions<WorkspaceOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, WorkspaceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Root) || !Path.IsPathFullyQualified(options.Root))
        {
            failures.Add($"{nameof(WorkspaceOptions.Root)} must be an absolute path.");
        }

        if (string.IsNullOrWhiteSpace(options.BranchPrefix) || options.BranchPrefix.StartsWith('-') || options.BranchPrefix.Contains(' ', StringComparison.Ordinal))
        {
            failures.Add($"{nameof(WorkspaceOptions.BranchPrefix)} must be a non-empty branch name prefix such as 'agent/'.");
        }

        if (string.IsNullOrWhiteSpace(options.AuthorName) || string.IsNullOrWhiteSpace(options.AuthorEmail))
        {
            failures.Add($"{nameof(WorkspaceOptions.AuthorName)} and {nameof(WorkspaceOptions.AuthorEmail)} must be set.");
        }

        if (options.MaxTotalBytes < 1)
        {
            failures.Add($"{nameof(WorkspaceOptions.MaxTotalBytes)} must be positive.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
