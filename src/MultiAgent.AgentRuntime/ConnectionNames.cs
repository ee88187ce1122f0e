namespace MultiAgent.AgentRuntime;

/// <summary>
/// Names of the connection strings the AppHost hands to every agent (ConnectionStrings:{name}).
/// They match the resource names in src/MultiAgent.AppHost/Program.cs.
/// </summary>
public static class ConnectionNames
{
    public const string Nats = "nats";
    public const string Database = "multiagentdb";
}
