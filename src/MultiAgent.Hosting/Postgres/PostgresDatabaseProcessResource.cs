using Aspire.Hosting.ApplicationModel;

namespace MultiAgent.Hosting.Postgres;

/// <summary>A database on a local PostgreSQL server process, created when the server first becomes healthy.</summary>
public sealed class PostgresDatabaseProcessResource(string name, string databaseName, PostgresServerProcessResource parent)
    : Resource(name), IResourceWithParent<PostgresServerProcessResource>, IResourceWithConnectionString
{
    public PostgresServerProcessResource Parent { get; } = parent;

    public string DatabaseName { get; } = databaseName;

    public ReferenceExpression ConnectionStringExpression =>
        ReferenceExpression.Create($"{Parent};Database={DatabaseName}");
}
