using Microsoft.Extensions.Options;

namespace MultiAgent.Repositories.Local;

/// <summary>Rejects <see cref="LocalGitHostOptions"/> whose allowed roots would depend on the process's current folder.</summary>
public sealed class LocalGitHostOptionsValidator : IValidateOptions<LocalGitHostOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, LocalGitHostOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var relative = options.AllowedRoots.Where(root => string.IsNullOrWhiteSpace(root) || !Path.IsPathFullyQualified(root.Trim())).ToList();
        return relative.Count == 0
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(
                $"{LocalRepositoryPolicy.SettingName} must list absolute paths; not: {string.Join(", ", relative.Select(root => $"'{root}'"))}.");
    }
}
