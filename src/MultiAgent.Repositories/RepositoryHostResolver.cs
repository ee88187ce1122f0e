using MultiAgent.Secrets;

namespace MultiAgent.Repositories;

/// <summary>
/// Picks the registered <see cref="IRepositoryHost"/> for a repository's kind (the last registered wins). Every host it
/// gives out masks secrets in what it writes (<see cref="RedactingRepositoryHost"/>; credential shapes only when no
/// <see cref="SecretRedactor"/> is given).
/// </summary>
public sealed class RepositoryHostResolver(IEnumerable<IRepositoryHost> hosts, SecretRedactor? redactor = null)
{
    private readonly Dictionary<RepositoryHostKind, IRepositoryHost> _hosts = hosts
        .GroupBy(h => h.Kind)
        .ToDictionary(g => g.Key, g => (IRepositoryHost)new RedactingRepositoryHost(g.Last(), redactor ?? new SecretRedactor()));

    /// <summary>
    /// The host for <paramref name="repository"/>; InvalidReference (not retryable) when this deployment has no host
    /// for its kind, e.g. a local path given to a system that only talks to GitHub.
    /// </summary>
    public IRepositoryHost For(RepositoryReference repository)
    {
        ArgumentNullException.ThrowIfNull(repository);
        if (_hosts.TryGetValue(repository.Kind, out var host))
        {
            return host;
        }

        var available = _hosts.Count == 0 ? "none" : string.Join(", ", _hosts.Keys.Order());
        throw new RepositoryHostException(
            RepositoryErrorKind.InvalidReference,
            $"No repository host is registered for {repository.Kind} repositories such as '{repository}' (registered: {available}). " +
            $"Register one at start-up (AddLocalGitHost for local paths, the GitHub host for GitHub URLs).");
    }
}
