using MultiAgent.Contracts;

namespace MultiAgent.Hosting.Restarts;

/// <summary>
/// Hears what the restart policy does (<see cref="RestartEvents"/>: a restart, a crash loop), to tell others. It must
/// return at once: the policy never waits for an announcement.
/// </summary>
public interface IRestartAnnouncer
{
    void Announce(SystemEvent systemEvent);
}
