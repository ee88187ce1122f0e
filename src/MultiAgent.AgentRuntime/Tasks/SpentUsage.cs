using MultiAgent.Contracts;

namespace MultiAgent.AgentRuntime.Tasks;

/// <summary>Model usage reported during one attempt of a task (thread-safe).</summary>
public sealed class SpentUsage
{
    private readonly Lock _lock = new();
    private TokenUsage _total = TokenUsage.Zero;

    /// <summary>All that was reported.</summary>
    public TokenUsage Total
    {
        get
        {
            lock (_lock)
            {
                return _total;
            }
        }
    }

    /// <summary>Adds the usage of a model session that ended (successfully or not).</summary>
    public void Report(TokenUsage usage)
    {
        ArgumentNullException.ThrowIfNull(usage);
        lock (_lock)
        {
            _total += usage;
        }
    }
}
