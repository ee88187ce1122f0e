namespace MultiAgent.Hosting.Local;

/// <summary>
/// The machine lacks something the AppHost needs in run mode (a server binary, a free port, a reachable folder).
/// The message says what to do; the AppHost prints it and stops.
/// </summary>
public sealed class LocalPrerequisiteException(string message) : Exception(message);
